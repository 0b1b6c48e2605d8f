--[[
reportc read filter: reads a batch of chapters' Markdown in one pandoc process.

The input document holds one CodeBlock per chapter: its identifier names the chapter in
the batch, its text is the chapter's Markdown. The metadata field `reportc-reader` is
the reader with its extensions (reportc.pandoc.runner.CHAPTER_READER). Each chapter is read on its
own with the options pandoc's command line reads with (its abbreviations list among them),
and is written as JSON behind a marker line `<!--reportc:chapter NAME-->` that reportc
splits on.

Raw LaTeX (which the reader keeps as RawBlock/RawInline) is wrapped in a Div or Span of
class `reportc-raw` whose attribute `latex` holds the source; for the environments and
commands a thesis is full of (figure, table, tabular, \ref, \cite, \textbf ...) the wrapper
holds what pandoc's own LaTeX reader makes of it. reportc.document.raw decides what is
kept. pandoc.read reads files named by \input and friends even under --sandbox, so a text
that names any command able to read a file, or to build one's name, is never converted.
]]

local CONVERTED_ENVIRONMENTS = {
  figure = true, ['figure*'] = true, table = true, ['table*'] = true, tabular = true,
  ['tabular*'] = true, tabularx = true, longtable = true, center = true, quote = true,
  itemize = true, enumerate = true, description = true, quotation = true, tabbing = true,
}
local CONVERTED_COMMANDS = {
  ref = true, autoref = true, cref = true, Cref = true, eqref = true, pageref = true,
  cite = true, citep = true, citet = true, parencite = true, textcite = true,
  autocite = true, citeauthor = true, citeyear = true, footcite = true,
  textbf = true, textit = true, emph = true, texttt = true, underline = true,
  textsc = true, textsuperscript = true, textsubscript = true, url = true, href = true,
  footnote = true, includegraphics = true, caption = true, label = true, LaTeX = true,
  TeX = true, ldots = true, dots = true, textendash = true, textemdash = true, S = true,
}
-- commands that read a file, or could assemble a command's name, are never converted
local UNSAFE = {}
for _, name in ipairs({'input', 'include', 'includeonly', 'import', 'subimport', 'inputfrom',
                       'includefrom', 'subinputfrom', 'subincludefrom', 'subfile',
                       'lstinputlisting', 'verbatiminput', 'inputminted', 'usepackage',
                       'RequirePackage', 'documentclass', 'LoadClass', 'csname', 'newcommand',
                       'renewcommand', 'providecommand', 'DeclareRobustCommand', 'def', 'edef',
                       'gdef', 'xdef', 'let', 'catcode', 'bibliography', 'addbibresource',
                       'expandafter', 'newenvironment', 'renewenvironment', 'read', 'openin',
                       'externaldocument', 'makeatletter', 'string', 'detokenize',
                       'scantokens', 'jobname', 'InputIfFileExists', 'IfFileExists',
                       'openout', 'write', 'immediate', 'graphicspath'}) do
  UNSAFE[name] = true
end

local function convertible(text)
  if text:find('^^', 1, true) or text:find('\\@', 1, true) then return false end
  for command in text:gmatch('\\(%a+)') do
    if UNSAFE[command] then return false end
  end
  local environment = text:match('^%s*\\begin%s*{([%a*]+)}')
  if environment then return CONVERTED_ENVIRONMENTS[environment] or false end
  for command in text:gmatch('\\(%a+)') do
    if not CONVERTED_COMMANDS[command] then return false end
  end
  return text:match('^%s*\\%a') ~= nil
end

-- A tabbing environment (a thesis's list of abbreviations: `\textbf{API} \= Application
-- ... \\`), which pandoc's LaTeX reader drops, as the table it lays out: a tab stop set
-- (\=) or moved to (\>) is a new column, a \kill line only sets stops. Any other tabbing
-- command leaves it unread (nil; said where it is): pandoc would read \= as an accent.
local function tabbing_as_tabular(text)
  if not text:match('^%s*\\begin%s*{tabbing}') then return text end
  local body = text:match('^%s*\\begin%s*{tabbing}(.-)\\end%s*{tabbing}%s*$')
  if not body or body:find('\\[+<`\'-]') then return nil end
  local rows, columns = {}, 1
  body = body:gsub('\\kill', '\\kill\\\\')  -- (a \kill line ends there)
  for row in (body .. '\\\\'):gmatch('(.-)\\\\') do
    if row:match('%S') and not row:find('\\kill') then
      row = row:gsub('~*%s*\\[=>]%s*', ' & ')
      local _, stops = row:gsub(' & ', '')
      columns = math.max(columns, stops + 1)
      rows[#rows + 1] = row
    end
  end
  return '\\begin{tabular}{' .. string.rep('l', columns) .. '}\n' ..
         table.concat(rows, ' \\\\\n') .. '\n\\end{tabular}'
end

local function latex_blocks(text)
  if not convertible(text) then return pandoc.Blocks({}) end
  local tabular = tabbing_as_tabular(text)
  if not tabular then return pandoc.Blocks({}) end
  local ok, doc = pcall(pandoc.read, tabular, 'latex')
  if not ok then return pandoc.Blocks({}) end
  return doc.blocks:walk({Cite = function(cite)  -- its text: the LaTeX it was read from
    cite.content = pandoc.Inlines({pandoc.Str('@' .. cite.citations[1].id)})
    return cite
  end})
end

local function wrapped(raw)
  return raw.format == 'tex' or raw.format == 'latex'
end

local RAW = {
  RawBlock = function(raw)
    if wrapped(raw) then
      return pandoc.Div(latex_blocks(raw.text),
                        pandoc.Attr('', {'reportc-raw'}, {latex = raw.text}))
    end
  end,
  RawInline = function(raw)
    if wrapped(raw) then
      local inlines = pandoc.utils.blocks_to_inlines(latex_blocks(raw.text))
      return pandoc.Span(inlines, pandoc.Attr('', {'reportc-raw'}, {latex = raw.text}))
    end
  end,
}

-- An HTML table reaches the reader as raw tags around Markdown cells: the run from <table>
-- to its </table> is put back together and read by pandoc's HTML reader (which reads no
-- file), so it becomes a real table; an <img> tag likewise becomes an image.
local function html_of(block)
  if block.t == 'RawBlock' and block.format == 'html' then return block.text end
  return pandoc.write(pandoc.Pandoc({block}), 'html')
end

local function raw_html(block, pattern)
  return block.t == 'RawBlock' and block.format == 'html' and block.text:match(pattern)
end

local TABLE_OPENS, TABLE_CLOSES = '^%s*<[Tt][Aa][Bb][Ll][Ee][%s>]', '^%s*</[Tt][Aa][Bb][Ll][Ee]%s*>'

-- pandoc's HTML reader fetches what an <iframe>, <embed> or <object> names (and then
-- drops the element): their attributes go first; reportc.document.raw warns of them
local function unfetched(html)
  for _, name in ipairs({'iframe', 'embed', 'object'}) do
    local pattern = '<' .. name:gsub('%a', function(c)
      return '[' .. c:upper() .. c .. ']' end) .. '[^>]*>'
    html = html:gsub(pattern, '<' .. name .. '>')
  end
  return html
end

local function table_end(blocks, first)
  if not raw_html(blocks[first], TABLE_OPENS) then return nil end
  if blocks[first].text:match('</[Tt][Aa][Bb][Ll][Ee]%s*>%s*$') then
    return first -- a whole table in one block (```{=html}, as a Quarto book writes one)
  end
  local depth = 0
  for index = first, #blocks do
    if raw_html(blocks[index], TABLE_OPENS) then depth = depth + 1 end
    if raw_html(blocks[index], TABLE_CLOSES) then depth = depth - 1 end
    if depth == 0 then return index end
  end
  return nil
end

-- R Markdown's paged table (`df_print: paged`, in a result Quarto froze): a data frame as
-- JSON for a script to page through, which no edition runs. It prints as the script first
-- shows it: its first rows and columns (10 of each unless its options say otherwise) as a
-- table, and how many there are.
local function first(value)
  if type(value) == 'table' then return value[1] end
  return value
end

local function column_key(column)
  local name = first(column.name)
  if type(name) == 'number' then return string.format('%d', name) end -- 1, never "1.0"
  return tostring(name)
end

-- A header row (`row` nil: the columns' labels) or a row of the data.
local function paged_cells(columns, row)
  local cells = {}
  for c, column in ipairs(columns) do
    local value = first(column.label)
    if row then value = row[column_key(column)] end
    if value == '__NA__' then value = 'NA' end -- R's missing value, as the script shows it
    cells[c] = {pandoc.Plain(pandoc.Inlines(tostring(value or '')))}
  end
  return cells
end

local function paged_table(block)
  if block.t ~= 'RawBlock' or block.format ~= 'html' or
      not block.text:find('data-pagedtable-source', 1, true) then
    return nil
  end
  local source = block.text:match('<script data%-pagedtable%-source[^>]*>(.-)</script>')
  local ok, data = pcall(pandoc.json.decode, source or '', false)
  if not ok or type(data) ~= 'table' or type(data.columns) ~= 'table' or
      type(data.data) ~= 'table' then
    return nil
  end
  local options = type(data.options) == 'table' and data.options or {}
  local most_rows = tonumber(first((options.rows or {}).max)) or 10
  local most_columns = tonumber(first((options.columns or {}).max)) or 10
  local columns, aligns, widths, rows = {}, {}, {}, {}
  for c = 1, math.min(#data.columns, most_columns) do
    columns[c] = data.columns[c]
    aligns[c] = first(columns[c].align) == 'right' and pandoc.AlignRight or pandoc.AlignLeft
    widths[c] = 0
  end
  for r = 1, math.min(#data.data, most_rows) do rows[r] = paged_cells(columns, data.data[r]) end
  local out = pandoc.Blocks({pandoc.utils.from_simple_table(
    pandoc.SimpleTable({}, aligns, widths, paged_cells(columns, nil), rows))})
  -- how much is shown, as numbers: reportc words it in the report's language
  -- (reportc.document.floats.word_extents)
  local extent = {}
  if #data.data > #rows then extent[#extent + 1] = {'rows', #rows .. '/' .. #data.data} end
  if #data.columns > #columns then
    extent[#extent + 1] = {'columns', #columns .. '/' .. #data.columns}
  end
  if #extent > 0 then
    out:insert(pandoc.Div({}, pandoc.Attr('', {'paged-table-extent'}, extent)))
  end
  return out
end

local function html_tables(blocks)
  local out, index = pandoc.Blocks({}), 1
  while index <= #blocks do
    local last = table_end(blocks, index)
    local paged = paged_table(blocks[index])
    if paged then
      out:extend(paged)
      index = index + 1
    elseif last then
      local parts = {}
      for inner = index, last do parts[#parts + 1] = html_of(blocks[inner]) end
      local html = table.concat(parts, '\n')
      out:insert(pandoc.Div(pandoc.read(unfetched(html), 'html').blocks,
                            pandoc.Attr('', {'reportc-raw'}, {html = html})))
      index = last + 1
    else
      out:insert(blocks[index])
      index = index + 1
    end
  end
  return out
end

-- an <img> with nothing but these attributes (no handler, no srcset) is read as an image
local IMAGE_ATTRIBUTES = {src = true, alt = true, width = true, height = true, title = true}

local function plain_image(text)
  for name in text:gsub('"[^"]*"', '""'):gsub("'[^']*'", "''"):gmatch('%s([%w-]+)%s*=') do
    if not IMAGE_ATTRIBUTES[name:lower()] then return false end
  end
  return true
end

local function html_image(raw)
  if raw.format == 'html' and raw.text:match('^<[Ii][Mm][Gg]%s') and plain_image(raw.text) then
    local blocks = pandoc.read(raw.text, 'html').blocks
    return pandoc.Span(pandoc.utils.blocks_to_inlines(blocks),
                       pandoc.Attr('', {'reportc-raw'}, {html = raw.text}))
  end
end

-- Quarto's caption attributes (fig-cap, tbl-cap, lst-cap) hold Markdown (as does
-- pandoc-crossref's caption="..." on a code block): each is read
-- here, as the chapter is, into the metadata field `reportc-captions` (attribute text ->
-- inlines), where reportc.document.floats takes a float's caption from.
local function read_captions(chapter, reader)
  local captions = {}
  local function note(element)
    for key, value in pairs(element.attributes) do
      -- (pandoc-crossref's `caption` on a code block is a listing's caption too)
      if (key:match('^%a+%-cap$') or (key == 'caption' and element.t == 'CodeBlock'))
          and captions[value] == nil then
        local read = pandoc.read(value, reader, PANDOC_READER_OPTIONS)
        captions[value] = pandoc.utils.blocks_to_inlines(read.blocks)
      end
    end
  end
  chapter:walk({Div = note, CodeBlock = note, Table = note, Figure = note})
  if next(captions) ~= nil then
    chapter.meta['reportc-captions'] = captions
  end
  return chapter
end

-- The report's macro definitions the chapter does not make itself (attribute `macros`, one
-- line: reportc.project.macros) are read before its text, so that pandoc expands them in
-- its formulas, and the block they make is dropped again.
local function read_chapter(block, reader)
  local macros = block.attributes['macros']
  if not macros then return pandoc.read(block.text, reader, PANDOC_READER_OPTIONS) end
  local chapter = pandoc.read(macros .. '\n\n' .. block.text, reader, PANDOC_READER_OPTIONS)
  local first = chapter.blocks[1]
  if first and first.t == 'RawBlock' and first.text == macros then
    chapter.blocks:remove(1)
  end
  return chapter
end

function Pandoc(doc)
  local reader = pandoc.utils.stringify(doc.meta['reportc-reader'])
  local out = pandoc.Blocks({})
  for _, block in ipairs(doc.blocks) do
    local chapter = read_chapter(block, reader)
      :walk({Blocks = html_tables, RawInline = html_image}):walk(RAW)
    chapter = read_captions(chapter, reader)
    out:insert(pandoc.RawBlock('html', '<!--reportc:chapter ' .. block.identifier .. '-->\n'
                                       .. pandoc.write(chapter, 'json')))
  end
  return pandoc.Pandoc(out)
end
