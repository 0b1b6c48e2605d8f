--[[
reportc keep filter: writes the document as citeproc left it (pandoc's JSON) to the file
$REPORTC_CITED, so that a later build citing the same sequence of citations can reuse it
(reportc/citing/recite.py). It changes nothing.
]]
function Pandoc(doc)
  local path = os.getenv('REPORTC_CITED')
  if path then
    local file = assert(io.open(path, 'w'))
    file:write(pandoc.write(doc, 'json'))
    file:close()
  end
end
