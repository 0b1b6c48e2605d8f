--[[
reportc render filter: cites, shapes and writes a batch of chapters in one pandoc process.

The input document holds one Div per chapter, whose identifier is the chapter's anchor;
the command line gives the citation settings (--csl, --bibliography, -M lang=...), which
pandoc puts into the document's metadata. Each chapter is cited on its own, exactly as if it were a
document by itself (its note numbers, "ibid." and first full citations start afresh),
then its notes are shaped and it is written to HTML behind a marker line
`<!--reportc:chapter ANCHOR-->` that reportc.pandoc.render splits on. One process for many
chapters saves pandoc's start-up and citeproc's first run (style and locale) per chapter:
the render stage takes half the time it took with one process per chapter.

Notes: each note (a citation note or an author's ^[...] note) becomes a numbered call
plus the note text inline, so one HTML serves both editions: the print CSS floats the
inline text to the foot of the page (CSS `float: footnote`), the screen CSS shows it as
a pop-up and lists all notes at the end of the chapter, each with a link back to its call.
Citeproc's own reference list is dropped: the report prints one bibliography at its end
(it is still made, so that citations link to their entries in that bibliography).
]]

local function note_call(prefix, number, content)
  local call = pandoc.Link({pandoc.Superscript({pandoc.Str(number)})},
    '#' .. prefix .. 'fn' .. number, '',
    pandoc.Attr(prefix .. 'fnref' .. number, {'fn-ref'},
      {{'role', 'doc-noteref'}, {'aria-label', 'Note ' .. number}}))
  local body = pandoc.Span(pandoc.utils.blocks_to_inlines(content, {pandoc.Space()}),
    pandoc.Attr('', {'fn-body'}, {{'aria-hidden', 'true'}}))
  return pandoc.Span({call, body}, pandoc.Attr('', {'fn'}))
end

local function back_link(prefix, number)
  return pandoc.Link({pandoc.Str('\u{21A9}\u{FE0E}')}, '#' .. prefix .. 'fnref' .. number, '',
    pandoc.Attr('', {'fn-back'},
      {{'role', 'doc-backlink'}, {'aria-label', 'Back to the text of note ' .. number}}))
end

-- The web edition's list of the chapter's notes, each with a link back to its call.
local function notes_list(prefix, notes)
  local items = {}
  for n, content in ipairs(notes) do
    local body = pandoc.Blocks(content)
    local last = body[#body]
    if last and (last.t == 'Para' or last.t == 'Plain') then
      last.content:insert(pandoc.Space())
      last.content:insert(back_link(prefix, tostring(n)))
    else
      body:insert(pandoc.Plain({back_link(prefix, tostring(n))}))
    end
    items[n] = {pandoc.Div(body, pandoc.Attr(prefix .. 'fn' .. n, {'fn-item'}))}
  end
  return pandoc.Div({
    pandoc.Header(2, {pandoc.Str('Notes')}, pandoc.Attr(prefix .. 'notes', {'notes-heading'})),
    pandoc.OrderedList(items)
  }, pandoc.Attr('', {'chapter-notes'}, {{'role', 'doc-endnotes'}}))
end

local function write(blocks)
  return pandoc.write(pandoc.Pandoc(blocks), 'html5', PANDOC_WRITER_OPTIONS)
end

-- Deleted text (a redline's `.del` spans and divs) must not change how the text around it
-- is cited: a deleted citation of a source would make the next real one a "subsequent"
-- short note, where the build of the new version prints the full first note. So citations
-- inside deleted text are set aside, the chapter is cited without them, and each is cited
-- on its own (a first, full citation) and put back where it was.
local function set_aside_deleted(blocks)
  local deleted = {}
  local function stand_in(cite, in_note)
    deleted[#deleted + 1] = {cite = cite, in_note = in_note}
    return pandoc.Span({}, pandoc.Attr('', {}, {{'reportc-deleted-cite', tostring(#deleted)}}))
  end
  local inside = {
    traverse = 'topdown',
    Note = function(note)
      return note:walk({Cite = function(cite) return stand_in(cite, true) end}), false
    end,
    Cite = function(cite) return stand_in(cite, false), false end,
  }
  local function deleted_part(element)
    if element.classes:includes('del') then
      return element:walk(inside), false
    end
  end
  blocks = pandoc.Blocks(blocks):walk({traverse = 'topdown', Span = deleted_part,
                                       Div = deleted_part})
  return blocks, deleted
end

local function cite_alone(entry, meta)
  local inlines = {entry.cite}
  if entry.in_note then
    inlines = {pandoc.Note({pandoc.Para(inlines)})}
  end
  local cited = pandoc.utils.citeproc(pandoc.Pandoc({pandoc.Para(inlines)}, meta))
  local content = cited.blocks[1].content
  if entry.in_note and #content == 1 and content[1].t == 'Note' then
    return pandoc.utils.blocks_to_inlines(content[1].content)
  end
  return content
end

local function put_back_deleted(chapter, deleted, meta)
  if #deleted == 0 then
    return chapter
  end
  return chapter:walk({
    Span = function(span)
      local index = tonumber(span.attributes['reportc-deleted-cite'])
      if index then
        return cite_alone(deleted[index], meta)
      end
    end,
  })
end

-- One chapter: citeproc, notes to calls, HTML; the list of notes is written on its own
-- and appended (the writer joins top-level blocks with a newline), which saves handing
-- the whole chapter back and forth once more.
local function render_chapter(blocks, meta, prefix)
  local kept, deleted = set_aside_deleted(blocks)
  local chapter = pandoc.utils.citeproc(pandoc.Pandoc(kept, meta))
  chapter = put_back_deleted(chapter, deleted, meta)
  local notes = {}
  chapter = chapter:walk({
    Note = function(note)
      notes[#notes + 1] = note.content
      return note_call(prefix, tostring(#notes), note.content)
    end,
    Div = function(div)
      if div.identifier == 'refs' then
        return {}
      end
    end,
  })
  local html = pandoc.write(chapter, 'html5', PANDOC_WRITER_OPTIONS)
  if #notes > 0 then
    html = html .. '\n' .. write({notes_list(prefix, notes)})
  end
  return html
end

function Pandoc(doc)
  local out = pandoc.Blocks({})
  for _, part in ipairs(doc.blocks) do
    out:insert(pandoc.RawBlock('html', '<!--reportc:chapter ' .. part.identifier .. '-->'))
    out:insert(pandoc.RawBlock('html', render_chapter(part.content, doc.meta,
                                                      part.identifier .. '-')))
  end
  return pandoc.Pandoc(out, doc.meta)
end
