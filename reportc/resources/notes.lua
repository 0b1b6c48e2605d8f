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

return {
  {Meta = read_prefix},
  {Note = note_to_call},
  {Pandoc = finish},
}
