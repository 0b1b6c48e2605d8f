--[[
reportc Word edition, run after --citeproc: the citation settings (bibliography and CSL
paths, link-citations) are the build's, not the document's; without this filter pandoc's
docx writer would store them, absolute local paths included, as custom document
properties, and the DOCX would differ from one build folder to the next.
]]

function Meta(meta)
  meta.bibliography = nil
  meta.csl = nil
  meta['link-citations'] = nil
  meta.references = nil
  return meta
end
