--[[
reportc read filter: reads a batch of chapters' Markdown in one pandoc process.

The input document holds one CodeBlock per chapter: its identifier names the chapter in
the batch, its text is the chapter's Markdown. The metadata field `reportc-reader` is
the reader with its extensions (reportc.pandoc.READER). Each chapter is read on its own
with the options pandoc's command line reads with (its abbreviations list among them),
so its AST is exactly that of `pandoc -f READER -t json` on the chapter alone, and is
written as JSON behind a marker line `<!--reportc:chapter NAME-->` that reportc splits on.
]]

-- Quarto's caption attributes (fig-cap, tbl-cap, lst-cap) hold Markdown: each is read
-- here, as the chapter is, into the metadata field `reportc-captions` (attribute text ->
-- inlines), where reportc.document.floats takes a float's caption from.
local function read_captions(chapter, reader)
  local captions = {}
  local function note(element)
    for key, value in pairs(element.attributes) do
      if key:match('^%a+%-cap$') and captions[value] == nil then
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

function Pandoc(doc)
  local reader = pandoc.utils.stringify(doc.meta['reportc-reader'])
  local out = pandoc.Blocks({})
  for _, block in ipairs(doc.blocks) do
    local chapter = pandoc.read(block.text, reader, PANDOC_READER_OPTIONS)
    chapter = read_captions(chapter, reader)
    out:insert(pandoc.RawBlock('html', '<!--reportc:chapter ' .. block.identifier .. '-->\n'
                                       .. pandoc.write(chapter, 'json')))
  end
  return pandoc.Pandoc(out)
end
