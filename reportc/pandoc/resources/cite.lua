--[[
reportc cite filter: citeproc over the document, as pandoc's --citeproc does, except that
citations in deleted text (a redline's `.del` spans and divs) do not change how the text
around them is cited.
]]

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

-- The sources of deleted citations stay in the reference list (`nocite`).
local function keep_listed(meta, deleted)
  if #deleted == 0 then
    return meta
  end
  local cites = pandoc.Inlines(meta.nocite or {})
  for _, entry in ipairs(deleted) do
    cites:insert(entry.cite)
  end
  meta.nocite = pandoc.MetaInlines(cites)
  return meta
end

function Pandoc(doc)
  local kept, deleted = set_aside_deleted(doc.blocks)
  local meta = keep_listed(doc.meta, deleted)
  local cited = pandoc.utils.citeproc(pandoc.Pandoc(kept, meta))
  return put_back_deleted(cited, deleted, doc.meta)
end
