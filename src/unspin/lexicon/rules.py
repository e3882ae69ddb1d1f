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

from ..text import phrase_key

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


# --- Run-time rule table: connectives, prepositions, adverbs, phrasal verbs ------------------
#
# Written by hand from general English usage (no spinner's table was consulted). Each group
# is a set of wordings a writer can exchange in most contexts, so a spinner may have written
# any member for any other. Unlike FUNCTION_GROUPS above (seeds baked into the shipped
# lexicon), these are read at run time by :mod:`unspin.engine.candidates`, which gives each
# member of a group every other member as a candidate original with prior RULE_PRIOR: low,
# because function words are swapped less often than content words and most of these
# exchanges are only near-synonyms. Groups may overlap; a phrase then gets the union.
# Verbs are listed in their base form and re-inflected like the spun words.

RULE_PRIOR = 0.05

CONNECTIVE_GROUPS: tuple[tuple[str, ...], ...] = (
    # cause and consequence
    ("because", "since", "as", "given that", "seeing that", "due to the fact that",
     "due to the fact", "owing to the fact",
     "owing to the fact that", "on the grounds that", "for the reason that", "in that"),
    ("because of", "due to", "owing to", "on account of", "as a result of", "thanks to",
     "by reason of", "by virtue of", "in view of", "as a consequence of"),
    ("therefore", "thus", "hence", "consequently", "as a result", "accordingly",
     "for this reason", "as a consequence", "so", "for that reason", "thereby"),
    # contrast and concession
    ("however", "nevertheless", "nonetheless", "still", "even so", "all the same",
     "that said", "on the other hand", "then again", "yet", "but"),
    ("although", "though", "even though", "while", "whereas", "despite the fact that",
     "in spite of the fact that", "even if", "albeit"),
    ("despite", "in spite of", "notwithstanding", "regardless of", "irrespective of"),
    ("instead of", "rather than", "in place of", "in lieu of"),
    ("instead", "rather", "alternatively", "in its place"),
    # addition
    ("also", "too", "as well", "additionally", "moreover", "furthermore", "besides",
     "in addition", "what is more", "likewise", "further", "similarly"),
    ("as well as", "along with", "together with", "plus", "in addition to", "besides",
     "on top of", "alongside", "coupled with"),
    ("except", "except for", "apart from", "aside from", "other than", "save for",
     "barring", "excluding", "with the exception of", "but for"),
    # examples and purpose
    ("for example", "for instance", "as an example", "to illustrate", "say"),
    ("such as", "like", "including", "for example", "for instance", "among them",
     "inclusive of", "in particular"),
    ("in order to", "so as to", "with the aim of", "with the intention of",
     "in an effort to", "for the purpose of", "in a bid to", "to"),
    ("so that", "in order that", "such that", "so"),
    # time
    ("before", "prior to", "earlier than", "ahead of", "in advance of", "preceding",
     "previous to"),
    ("after", "following", "subsequent to", "later than", "in the wake of", "once", "upon"),
    ("during", "throughout", "in the course of", "over", "within", "amid", "amidst",
     "at some point in", "at some stage in", "all through"),
    ("while", "whilst", "as", "when", "even as", "at the same time as", "whereas"),
    ("when", "whenever", "as soon as", "once", "at the time when", "the moment"),
    ("until", "till", "up to", "up until", "pending", "before"),
    ("now", "currently", "at present", "presently", "nowadays", "today", "at the moment",
     "these days", "right now", "at this time", "at the present time", "in the present day"),
    ("recently", "lately", "of late", "in recent times", "newly", "not long ago",
     "these days", "in recent years"),
    ("then", "next", "afterwards", "after that", "subsequently", "later", "thereafter",
     "at that point", "at that time", "later on"),
    ("finally", "eventually", "ultimately", "in the end", "at last", "lastly", "at length",
     "in the long run", "in the final analysis", "in due course"),
    ("first", "firstly", "first of all", "to begin with", "initially", "at first",
     "in the first place", "first off", "to start with"),
    ("already", "by now", "previously", "so far", "until now", "up to now", "thus far",
     "to date", "hitherto", "before now"),
    ("soon", "shortly", "before long", "in a while", "presently", "in the near future"),
    ("often", "frequently", "commonly", "regularly", "repeatedly", "many times",
     "time and again", "again and again", "oftentimes", "routinely"),
    ("usually", "normally", "generally", "typically", "commonly", "as a rule",
     "ordinarily", "customarily", "in general", "mostly"),
    ("sometimes", "occasionally", "at times", "now and then", "from time to time",
     "on occasion", "every so often", "once in a while"),
    ("always", "constantly", "invariably", "forever", "at all times", "all the time",
     "consistently", "continually", "ever"),
    ("again", "once more", "once again", "anew", "afresh", "another time"),
    ("never", "not ever", "at no time", "by no means", "in no way"),
    # degree and quantity
    ("very", "highly", "extremely", "really", "truly", "quite", "greatly", "deeply",
     "exceedingly", "remarkably", "incredibly", "especially", "most", "so"),
    ("about", "around", "approximately", "roughly", "nearly", "almost", "some", "or so",
     "more or less", "close to", "in the region of", "circa", "round about", "round"),
    ("almost", "nearly", "practically", "virtually", "all but", "just about",
     "close to", "well-nigh", "more or less"),
    ("more than", "over", "above", "in excess of", "greater than", "upwards of",
     "beyond", "exceeding"),
    ("less than", "under", "below", "fewer than", "lower than", "short of"),
    ("at least", "at minimum", "no less than", "at the least", "as a minimum",
     "not less than", "a minimum of"),
    ("at most", "at the most", "no more than", "not more than", "at maximum", "up to",
     "a maximum of"),
    ("only", "just", "merely", "simply", "solely", "purely", "exclusively", "alone"),
    ("mainly", "mostly", "chiefly", "primarily", "largely", "principally", "predominantly",
     "for the most part", "in the main", "essentially", "above all", "generally"),
    ("especially", "particularly", "specifically", "notably", "in particular",
     "above all", "chiefly", "expressly"),
    ("enough", "sufficient", "sufficiently", "adequate", "adequately", "ample"),
    ("many", "numerous", "a lot of", "lots of", "plenty of", "countless", "several",
     "quite a few", "a large number of", "loads of", "multiple", "various", "a number of",
     "a great many", "a host of", "scores of"),
    ("several", "a few", "some", "various", "a number of", "a couple of", "quite a few",
     "multiple", "sundry", "a handful of"),
    ("much", "a lot", "greatly", "considerably", "far", "a great deal", "significantly",
     "substantially", "a good deal"),
    ("entirely", "completely", "totally", "fully", "wholly", "altogether", "utterly",
     "absolutely", "thoroughly", "quite"),
    ("really", "actually", "in fact", "indeed", "in reality", "in truth", "truly",
     "as a matter of fact", "genuinely", "in actual fact"),
    ("perhaps", "maybe", "possibly", "conceivably", "potentially", "perchance"),
    ("probably", "likely", "most likely", "in all likelihood", "presumably",
     "in all probability", "doubtless"),
    ("certainly", "surely", "definitely", "undoubtedly", "without doubt", "clearly",
     "of course", "no doubt", "for sure", "without question", "unquestionably"),
    ("in general", "generally", "overall", "on the whole", "by and large", "all in all",
     "broadly", "as a rule", "for the most part", "in general terms"),
    ("in short", "briefly", "in brief", "in sum", "in summary", "to sum up", "in a word",
     "in a nutshell", "in conclusion", "to summarise", "to summarize"),
    ("in fact", "indeed", "actually", "in reality", "as a matter of fact", "in truth",
     "in actual fact", "really"),
    # prepositions and prepositional phrases
    ("about", "regarding", "concerning", "on", "with regard to", "with respect to",
     "as regards", "in relation to", "relating to", "as for", "in terms of", "respecting",
     "pertaining to", "as to", "in connection with", "over", "with reference to"),
    ("according to", "in line with", "in accordance with", "as stated by", "as per",
     "per", "consistent with", "in keeping with", "based on", "as reported by",
     "in agreement with", "in conformity with", "as indicated by"),
    ("based on", "on the basis of", "founded on", "grounded in", "built on", "derived from"),
    ("through", "via", "by means of", "by way of", "by", "using", "thru", "with the help of",
     "by dint of", "through the use of"),
    ("with", "alongside", "together with", "along with", "accompanied by", "plus"),
    ("without", "lacking", "minus", "with no", "devoid of", "free of", "sans", "short of"),
    ("within", "inside", "in", "inside of", "in the interior of"),
    ("among", "amongst", "between", "amid", "amidst", "in the midst of", "in the middle of"),
    ("around", "about", "round", "surrounding", "throughout", "all over", "all around"),
    ("across", "over", "throughout", "all over", "through", "all across"),
    ("near", "close to", "nearby", "next to", "beside", "in the vicinity of", "adjacent to",
     "not far from", "near to", "close by"),
    ("toward", "towards", "in the direction of"),
    ("beyond", "past", "outside", "further than", "in excess of", "outside of"),
    ("against", "versus", "opposed to", "in opposition to", "contrary to", "counter to"),
    ("like", "similar to", "comparable to", "akin to", "along the lines of",
     "in the manner of", "such as", "as"),
    ("unlike", "different from", "as opposed to", "in contrast to", "contrary to",
     "dissimilar to", "in contrast with"),
    ("whether", "if", "whether or not"),
    ("if", "provided that", "providing that", "as long as", "so long as",
     "on condition that", "assuming that", "given that", "supposing", "in case", "in the event that"),
    ("unless", "except if", "if not", "except when"),
    ("by", "by means of", "through", "via", "by way of"),
    ("for", "for the sake of", "on behalf of", "in favour of", "in favor of", "to"),
    ("from", "out of", "away from", "originating in"),
    ("on", "upon", "atop", "on top of"),
    ("each other", "one another", "mutually"),
    ("the same", "identical", "the identical", "alike", "the very same", "the equal"),
    ("a few", "some", "several", "a couple of", "a handful of", "a small number of"),
    ("whole", "entire", "complete", "full", "total"),
    ("in this way", "thereby", "thus", "in so doing", "by doing so", "this way",
     "in this manner"),
    # phrasal verbs and their one-word equivalents (base forms)
    ("make sure", "ensure", "make certain", "see to it", "guarantee"),
    ("carry out", "perform", "conduct", "execute", "undertake", "implement", "do"),
    ("find out", "discover", "learn", "determine", "ascertain", "establish"),
    ("set up", "establish", "found", "create", "start", "launch", "institute"),
    ("look into", "investigate", "examine", "probe", "explore", "inquire into", "study"),
    ("point out", "note", "observe", "remark", "mention", "indicate", "stress"),
    ("go on", "continue", "carry on", "keep on", "proceed", "persist"),
    ("take part in", "participate in", "join in", "engage in", "be involved in"),
    ("come up with", "devise", "invent", "think up", "conceive", "develop"),
    ("get rid of", "eliminate", "remove", "dispose of", "do away with", "discard"),
    ("put off", "postpone", "delay", "defer", "hold off"),
    ("make up", "constitute", "compose", "form", "comprise", "account for"),
    ("deal with", "handle", "address", "tackle", "cope with", "manage"),
    ("look for", "seek", "search for", "hunt for", "try to find"),
    ("bring about", "cause", "produce", "lead to", "give rise to", "result in",
     "generate", "create", "trigger"),
    ("give up", "abandon", "quit", "forgo", "relinquish", "renounce", "stop"),
    ("keep up", "maintain", "sustain", "preserve", "continue"),
    ("turn down", "refuse", "reject", "decline", "rebuff"),
    ("point to", "indicate", "suggest", "show", "signal", "imply"),
    ("focus on", "concentrate on", "centre on", "center on", "zero in on"),
    ("rely on", "depend on", "count on", "bank on", "lean on"),
    ("consist of", "comprise", "include", "contain", "be made up of", "be composed of"),
    ("take place", "happen", "occur", "come about", "arise"),
    ("come back", "return", "go back", "get back"),
    ("go up", "rise", "increase", "climb", "grow"),
    ("go down", "fall", "decrease", "drop", "decline"),
    ("figure out", "work out", "understand", "solve", "determine", "resolve"),
    ("talk about", "discuss", "speak about", "talk over", "deal with"),
    ("need", "require", "call for", "demand", "have to"),
    ("help", "assist", "aid", "support", "lend a hand"),
    ("use", "employ", "utilize", "utilise", "make use of", "apply", "exploit"),
    ("show", "demonstrate", "display", "reveal", "exhibit", "indicate", "illustrate"),
    ("get", "obtain", "acquire", "receive", "gain", "secure", "procure"),
    ("give", "provide", "supply", "offer", "furnish", "grant", "hand over"),
    ("try", "attempt", "endeavour", "endeavor", "seek", "strive", "make an effort"),
    ("start", "begin", "commence", "initiate", "set about", "get going", "launch"),
    ("end", "finish", "conclude", "complete", "terminate", "wrap up", "bring to an end"),
    ("buy", "purchase", "acquire", "pick up"),
    ("keep", "retain", "hold on to", "maintain", "preserve", "hang on to"),
)


# Contractions and their full forms (either may have been written for the other).
CONTRACTIONS: tuple[tuple[str, ...], ...] = tuple(
    (full, short) for full, short in (
        ("do not", "don't"), ("does not", "doesn't"), ("did not", "didn't"),
        ("is not", "isn't"), ("are not", "aren't"), ("was not", "wasn't"),
        ("were not", "weren't"), ("cannot", "can't"), ("can not", "can't"),
        ("will not", "won't"), ("would not", "wouldn't"), ("could not", "couldn't"),
        ("should not", "shouldn't"), ("have not", "haven't"), ("has not", "hasn't"),
        ("had not", "hadn't"), ("must not", "mustn't"), ("need not", "needn't"),
        ("it is", "it's"), ("that is", "that's"), ("there is", "there's"),
        ("what is", "what's"), ("he is", "he's"), ("she is", "she's"), ("i am", "i'm"),
        ("we are", "we're"), ("they are", "they're"), ("you are", "you're"),
        ("let us", "let's"), ("we have", "we've"), ("i have", "i've"),
        ("they have", "they've"), ("you have", "you've"), ("we will", "we'll"),
        ("i will", "i'll"), ("they will", "they'll"), ("you will", "you'll"),
        ("he will", "he'll"), ("she will", "she'll"), ("it will", "it'll"),
        ("i would", "i'd"), ("we would", "we'd"), ("they would", "they'd"),
    )
)


def connective_table(groups: tuple[tuple[str, ...], ...] = CONNECTIVE_GROUPS + CONTRACTIONS) -> dict[str, tuple[str, ...]]:
    """Member phrase (lower case, single spaces) -> the other members of all its groups.

    >>> "according to" in connective_table()["in line with"]
    True
    """
    out: dict[str, dict[str, None]] = {}
    for group in groups:
        members = [phrase_key(m) for m in group]
        for s in members:
            row = out.setdefault(s, {})
            for o in members:
                if o != s:
                    row.setdefault(o, None)
    return {k: tuple(v) for k, v in out.items()}
