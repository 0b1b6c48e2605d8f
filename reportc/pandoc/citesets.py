"""Citations of a biblatex ``@set`` (one key for several entries cited together), as
citeproc can cite them: CSL has no sets, so a citation of a set becomes citations of its
members, in a row, as biblatex prints a set."""

from __future__ import annotations

import json


def cite_set_members(blocks: str, sets: tuple[tuple[str, tuple[str, ...]], ...]) -> str:
    """A chapter's blocks (JSON) with each citation of a @set replaced by citations of
    its members (CSL has no sets; biblatex prints a set as its members in a row)."""
    if not sets or not any(f'"citationId":"{key}"' in blocks.replace(": ", ":")
                           for key, _ in sets):
        return blocks
    members = dict(sets)

    def walk(node: object) -> object:
        if isinstance(node, list):
            return [walk(item) for item in node]
        if not isinstance(node, dict):
            return node
        if node.get("t") == "Cite":
            citations = []
            for citation in node["c"][0]:
                keys = members.get(citation["citationId"]) or [citation["citationId"]]
                for index, key in enumerate(keys):
                    citations.append({**citation, "citationId": key,
                                      "citationPrefix": citation["citationPrefix"]
                                      if index == 0 else [],
                                      "citationSuffix": citation["citationSuffix"]
                                      if index == len(keys) - 1 else []})
            return {"t": "Cite", "c": [citations, node["c"][1]]}
        return {name: walk(value) for name, value in node.items()}

    return json.dumps(walk(json.loads(blocks)))
