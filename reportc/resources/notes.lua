--[[
reportc notes filter: runs after citeproc, inside the chapter's own pandoc call.

Each note (a citation note or an author's ^[...] note) becomes a numbered call
plus the note text inline, so one HTML serves both editions: the print CSS
floats the inline text to the foot of the page (CSS `float: footnote`), the
screen CSS shows it as a pop-up and lists all notes at the end of the chapter,
each with a link back to its call. Citeproc's own reference list is dropped:
the report prints one bibliography at its end.
]]

local prefix = ''
local notes = {}

local function read_prefix(meta)
  if meta['note-prefix'] then
    prefix = pandoc.utils.stringify(meta['note-prefix'])
  end
end

local function note_to_call(note)
  local n = #notes + 1
  notes[n] = note.content
  local number = tostring(n)
  local call = pandoc.Link({pandoc.Superscript({pandoc.Str(number)})},
    '#' .. prefix .. 'fn' .. number, '',
    pandoc.Attr(prefix .. 'fnref' .. number, {'fn-ref'},
      {{'role', 'doc-noteref'}, {'aria-label', 'Note ' .. number}}))
  local body = pandoc.Span(pandoc.utils.blocks_to_inlines(note.content, {pandoc.Space()}),
    pandoc.Attr('', {'fn-body'}, {{'aria-hidden', 'true'}}))
  return pandoc.Span({call, body}, pandoc.Attr('', {'fn'}))
end

local function back_link(number)
  return pandoc.Link({pandoc.Str('\u{21A9}\u{FE0E}')}, '#' .. prefix .. 'fnref' .. number, '',
    pandoc.Attr('', {'fn-back'},
      {{'role', 'doc-backlink'}, {'aria-label', 'Back to the text of note ' .. number}}))
end

local function finish(doc)
  local blocks = pandoc.Blocks({})
  for _, block in ipairs(doc.blocks) do
    if not (block.t == 'Div' and block.identifier == 'refs') then
      blocks:insert(block)
    end
  end
  if #notes > 0 then
    local items = {}
    for n, content in ipairs(notes) do
      local body = pandoc.Blocks(content)
      local last = body[#body]
      if last and (last.t == 'Para' or last.t == 'Plain') then
        last.content:insert(pandoc.Space())
        last.content:insert(back_link(tostring(n)))
      else
        body:insert(pandoc.Plain({back_link(tostring(n))}))
      end
      items[n] = {pandoc.Div(body, pandoc.Attr(prefix .. 'fn' .. n, {'fn-item'}))}
    end
    blocks:insert(pandoc.Div({
      pandoc.Header(2, {pandoc.Str('Notes')}, pandoc.Attr(prefix .. 'notes', {'notes-heading'})),
      pandoc.OrderedList(items)
    }, pandoc.Attr('', {'chapter-notes'}, {{'role', 'doc-endnotes'}})))
  end
  doc.blocks = blocks
  return doc
end

-- A note's call must not start a line on its own: the word before it and the call
-- (with the citation around it, if any) go into one span the CSS keeps together.
local function holds_call(inline)
  if inline.t == 'Span' and inline.classes:includes('fn') then
    return true
  end
  if inline.t == 'Cite' then
    for _, part in ipairs(inline.content) do
      if part.t == 'Span' and part.classes:includes('fn') then
        return true
      end
    end
  end
  return false
end

local function keep_call_with_word(inlines)
  local kept = pandoc.Inlines({})
  local i = 1
  while i <= #inlines do
    local word, call = inlines[i], inlines[i + 1]
    if word.t == 'Str' and call and holds_call(call) then
      kept:insert(pandoc.Span({word, call}, pandoc.Attr('', {'fn-keep'})))
      i = i + 2
    else
      kept:insert(word)
      i = i + 1
    end
  end
  return kept
end

return {
  {Meta = read_prefix},
  {Note = note_to_call},
  {Inlines = keep_call_with_word},
  {Pandoc = finish},
}
