--[[
reportc render filter: shapes and writes a batch of chapters in one pandoc process.

The input document holds one Div per chapter, whose identifier is the chapter's anchor,
already cited: reportc.citing.render runs citeproc once over the whole report, each
chapter a section whose citation positions start afresh ("reset-citation-positions": its
first citation of a source is a full one). Each chapter's notes are shaped and it is
written to HTML behind a marker line `<!--reportc:chapter ANCHOR-->` that
reportc.citing.render splits on. One process for many chapters saves pandoc's start-up per
chapter.

Notes: each note (a citation note or an author's ^[...] note) becomes a numbered call
plus the note text inline, so one HTML serves both editions: the print CSS floats the
inline text to the foot of the page (CSS `float: footnote`), the screen CSS shows it as
a pop-up and lists all notes at the end of the chapter, each with a link back to its call.
Note numbers start at 1 in every chapter. A build of paged editions only (`--format pdf`)
sets the metadata `reportc-notes-list: false`: the list, which the print page leaves out, is
not written, only its empty section (left out too: the print page's bytes are the same).
The report prints one bibliography at its end,
or where a chapter's `::: {#refs}` div is (class `reportc-refs`: a marker reportc fills in).

Pieces (metadata `reportc-pieces`): each top-level block of a chapter is written between
markers `<!--reportc:block-->`, which reportc.citing.pieces takes out again (the writer joins
top-level blocks with a newline and leaves out empty ones, so the chapter's HTML is its
blocks' HTML joined): reportc keeps each block's HTML and its notes' list items, and
after an edit writes only the blocks that changed. Such a block comes as a Div of class
`reportc-part`, with the chapter's note prefix and the number of its first note.
]]

local BLOCK = '<!--reportc:block-->'

-- The words the notes print, in the report's language: metadata `reportc-word-KEY`
-- (reportc.citing.setup), else English.
local WORDS = {['footnote-title'] = 'Note', ['footnote-back'] = 'Back to the text of note',
               ['section-title-footnotes'] = 'Notes'}

local function read_words(meta)
  for key, _ in pairs(WORDS) do
    local word = meta['reportc-word-' .. key]
    if word then WORDS[key] = pandoc.utils.stringify(word) end
  end
end

local function note_call(prefix, number, content)
  local call = pandoc.Link({pandoc.Superscript({pandoc.Str(number)})},
    '#' .. prefix .. 'fn' .. number, '',
    pandoc.Attr(prefix .. 'fnref' .. number, {'fn-ref'},
      {{'role', 'doc-noteref'}, {'aria-label', WORDS['footnote-title'] .. ' ' .. number}}))
  local body = pandoc.Span(pandoc.utils.blocks_to_inlines(content, {pandoc.Space()}),
    pandoc.Attr('', {'fn-body'}, {{'aria-hidden', 'true'}}))
  return pandoc.Span({call, body}, pandoc.Attr('', {'fn'}))
end

local function back_link(prefix, number)
  return pandoc.Link({pandoc.Str('\u{21A9}\u{FE0E}')}, '#' .. prefix .. 'fnref' .. number, '',
    pandoc.Attr('', {'fn-back'},
      {{'role', 'doc-backlink'}, {'aria-label', WORDS['footnote-back'] .. ' ' .. number}}))
end

-- The web edition's list of the chapter's notes, each with a link back to its call.
local function notes_list(prefix, notes, first)
  local items = {}
  for index, content in ipairs(notes) do
    local n = first + index - 1
    local body = pandoc.Blocks(content)
    local last = body[#body]
    if last and (last.t == 'Para' or last.t == 'Plain') then
      last.content:insert(pandoc.Space())
      last.content:insert(back_link(prefix, tostring(n)))
    else
      body:insert(pandoc.Plain({back_link(prefix, tostring(n))}))
    end
    items[index] = {pandoc.Div(body, pandoc.Attr(prefix .. 'fn' .. n, {'fn-item'}))}
  end
  return pandoc.Div({
    pandoc.Header(2, pandoc.Inlines(WORDS['section-title-footnotes']), pandoc.Attr(prefix .. 'notes', {'notes-heading'})),
    pandoc.OrderedList(items, pandoc.ListAttributes(first))
  }, pandoc.Attr('', {'chapter-notes'}, {{'role', 'doc-endnotes'}}))
end

-- An image's width or height in pixels (`{width=16}`, which pandoc writes as an HTML
-- attribute) as a style: WeasyPrint, which lays out the PDF, reads no size attributes, and
-- a 16-pixel icon was printed as wide as the page. A size with a unit is a style already.
local function sized(image)
  local style = {}
  for _, key in ipairs({'width', 'height'}) do
    local value = image.attributes[key]
    if value and value:match('^%d+%.?%d*$') then
      style[#style + 1] = key .. ':' .. value .. 'px'
      image.attributes[key] = nil
    end
  end
  if #style == 0 then
    return nil
  end
  local given = image.attributes['style']
  image.attributes['style'] = table.concat(style, ';') .. (given and (';' .. given) or '')
  return image
end

local function write(blocks)
  return pandoc.write(pandoc.Pandoc(blocks), 'html5', PANDOC_WRITER_OPTIONS)
end

-- A code block with Quarto's code annotations (reportc.document.annotations took the
-- markers out and left `data-code-annotations="LINE:N,..."`): written as the writer
-- writes it, with an empty span after each annotated line whose CSS shows the number, so
-- that copying the code copies no number.
local function annotated(block)
  local marks = block.attributes['data-code-annotations']
  if not marks then return nil end
  block.attributes['data-code-annotations'] = nil
  local numbers = {}
  for line, number in marks:gmatch('(%d+):(%d+)') do numbers[tonumber(line)] = number end
  local html = write({block})
  local head, body, tail = html:match('^(.-<code[^>]*>)(.*)(</code>.-)$')
  if not body then return nil end
  local out = {}
  for line in (body .. '\n'):gmatch('(.-)\n') do
    local number = numbers[#out + 1]
    if number then
      local mark = '<span class="code-annotation-anchor" data-code-annotation="' .. number
                   .. '" aria-hidden="true"></span>'
      if line:match('^<span id=') and line:sub(-7) == '</span>' then
        line = line:sub(1, -8) .. mark .. '</span>'  -- inside the highlighted line's span
      else
        line = line .. mark
      end
    end
    out[#out + 1] = line
  end
  return pandoc.RawBlock('html', head .. table.concat(out, '\n') .. tail)
end

-- Each block behind a marker, and one after the last (reportc.citing.pieces splits on them).
local function marked(blocks)
  local out = pandoc.Blocks({})
  for _, block in ipairs(blocks) do
    out:insert(pandoc.RawBlock('html', BLOCK))
    out:insert(block)
  end
  out:insert(pandoc.RawBlock('html', BLOCK))
  return out
end

-- One chapter (or, as pieces, some of its blocks whose first note is number `first`):
-- notes to calls, HTML; the list of notes is written on its own and appended (the writer
-- joins top-level blocks with a newline), which saves handing the whole chapter back and
-- forth once more.
local function render_chapter(blocks, meta, prefix, with_list, pieces, first)
  local notes = {}
  local chapter = pandoc.Pandoc(blocks, meta):walk({
    Image = sized,
    CodeBlock = annotated,
    Note = function(note)
      notes[#notes + 1] = note.content
      return note_call(prefix, tostring(first + #notes - 1), note.content)
    end,
    Div = function(div)
      if div.classes:includes('reportc-refs') then
        -- the author's `::: {#refs}`: reportc puts the report's bibliography here
        return pandoc.RawBlock('html', '<div class="references-placed">'
                                       .. '<!--reportc:bibliography--></div>')
      end
    end,
  })
  if pieces then
    chapter.blocks = marked(chapter.blocks)
  end
  local html = pandoc.write(chapter, 'html5', PANDOC_WRITER_OPTIONS)
  if #notes > 0 then
    html = html .. '\n' .. (with_list and write({notes_list(prefix, notes, first)}) or
      '<section id="' .. prefix .. 'notes" class="notes-heading chapter-notes"></section>')
  end
  return html
end

-- When pandoc ran citeproc in this same process (--citeproc before this filter: a report
-- small enough for one batch), its reference list is the Div 'refs': written as it is.
-- The cited report as citeproc left it (pandoc's JSON), written to $REPORTC_CITED when
-- reportc asks (it cites and writes in this one process), so that a later build citing
-- the same sequence of citations can reuse it (reportc/citing/recite.py). Done here, not
-- in a filter of its own, which would hand the whole report to Lua and back once more.
local function keep(doc)
  local path = os.getenv('REPORTC_CITED')
  if path then
    local file = assert(io.open(path, 'w'))
    file:write(pandoc.write(doc, 'json'))
    file:close()
  end
end

function Pandoc(doc)
  keep(doc)
  read_words(doc.meta)
  local with_list = doc.meta['reportc-notes-list'] ~= false
  local pieces = doc.meta['reportc-pieces'] == true
  local out = pandoc.Blocks({})
  for _, part in ipairs(doc.blocks) do
    out:insert(pandoc.RawBlock('html', '<!--reportc:chapter ' .. part.identifier .. '-->'))
    if part.identifier == 'refs' then
      out:insert(pandoc.RawBlock('html', write({part})))
    elseif part.classes:includes('reportc-part') then
      out:insert(pandoc.RawBlock('html', render_chapter(part.content, doc.meta,
        part.attributes['prefix'], with_list, true, tonumber(part.attributes['first']))))
    else
      out:insert(pandoc.RawBlock('html', render_chapter(part.content, doc.meta,
                                                        part.identifier .. '-', with_list,
                                                        pieces, 1)))
    end
  end
  return pandoc.Pandoc(out, doc.meta)
end
