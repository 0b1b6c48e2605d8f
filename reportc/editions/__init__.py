"""What every edition of a report shares: the Edition interface (:mod:`.base`) and writing
the requested editions (:mod:`.run`), the theme and print typography, the page templates'
context (:mod:`.page`), the publisher's metadata (:mod:`.metadata`) and the cover picture.
The editions themselves (web, pdf, docx, epub, brief, site, evidence_table) sit above this
package and the registry ``--format`` chooses from (:mod:`reportc.registry`) above them."""
