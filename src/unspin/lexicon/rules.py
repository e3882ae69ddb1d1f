"""Hand-written seeds for function words and fixed expressions (build time only).

Spinners swap connectives and fixed expressions too ("because of" -> "on account of"), but
thesauri list few of those in the direction a restorer needs: "because of" has no entry, and
"on account of" appears only under "owing to" and "due to". Each group below is a small set
of interchangeable expressions, written by hand and kept conservative (a spinner may have
written any member for any other). ``scripts/build_lexicon.py`` then *expands* each group
from the thesauri: a multi-word phrase linked (in any source, either direction) to at least
two members of a group becomes a spun candidate for every member. So the seeds are a few
dozen phrases; the expansions come from Moby, MyThes and WordNet.

Priors: a seed member gets at least ``SEED_PRIOR``, an expansion at least
``EXPANSION_PRIOR``, before the candidate list is renormalised.
"""

from __future__ import annotations

SEED_PRIOR = 0.3
EXPANSION_PRIOR = 0.1

FUNCTION_GROUPS: tuple[tuple[str, ...], ...] = (
    ("because of", "due to", "owing to"),
    ("because", "since"),
    ("although", "though", "even though"),
    ("however", "nevertheless", "nonetheless"),
    ("therefore", "thus", "hence", "consequently", "as a result"),
    ("also", "additionally", "moreover", "furthermore", "in addition"),
    ("in order to", "so as to"),
    ("for example", "for instance"),
    ("despite", "in spite of", "notwithstanding"),
    ("approximately", "roughly", "about"),
    ("mainly", "mostly", "chiefly", "primarily", "largely"),
    ("many", "numerous", "a lot of"),
    ("especially", "particularly", "in particular"),
    ("whereas", "while"),
    ("before", "prior to"),
    ("regarding", "concerning", "with regard to", "with respect to"),
    ("through", "by means of", "via"),
    ("based on", "on the basis of"),
    ("often", "frequently", "commonly"),
    ("after", "following", "subsequent to"),
    ("in addition to", "besides", "as well as"),
    ("instead of", "rather than", "in place of"),
    ("if", "provided that"),
)
