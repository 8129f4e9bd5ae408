"""French text reduced to comparable terms: the same words whatever their accents, case or number.

Used to search questions (identically on SQLite and PostgreSQL: both index the terms computed
here), to spot duplicates, and to find recurring concerns in what citizens wrote.
"""
import hashlib
import re
import unicodedata

import snowballstemmer

_WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)*|\d+", re.UNICODE)
#: Elided articles and pronouns: "l'éclairage" is "éclairage".
_ELISION = re.compile(r"^(?:[lmtsdnjc]|qu|jusqu|lorsqu|puisqu)['’]")

#: Words that carry no subject: articles, pronouns, auxiliaries, conjunctions, common adverbs.
STOP_WORDS = frozenset("""
a ai aie aient aies ait alors as au aucun aucune aupres auquel aura aurai auraient aurais aurait
auront aussi autre autres aux auxquelles auxquels avaient avais avait avant avec avez aviez avions
avoir avons ayant ayez ayons bon c ca car ce ceci cela celle celles celui cependant certain
certaines certains ces cet cette ceux chaque chez ci comme comment contre d dans de des desquelles
desquels deux devrait doit donc dont du duquel elle elles en encore entre es est et etaient etais
etait etant ete etes etiez etions etre eu eue eues eurent eus eut eux faire fait faut fois font
furent fut ici il ils j je jusqu l la laquelle le lequel les lesquelles lesquels leur leurs lors
lui m ma mais me meme memes mes moi mon n ne ni nos notre nous on ont ou par parce pas peu peut
plus pour pourquoi pourrait quand que quel quelle quelles quels qui quoi s sa sans se sera seraient
serait seront ses si sien sienne soi soient sois soit sommes son sont sous suis sur t ta te tes
toi ton tous tout toute toutes tres tu un une unes uns vers voila vos votre vous y
""".split())

_stemmer = snowballstemmer.stemmer("french")


def strip_accents(text):
    """Return ``text`` lower-cased and without diacritics ("Sécurité" → "securite")."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def words(text):
    """Return the words of ``text``, lower-cased, elisions removed, accents kept."""
    found = []
    for word in _WORD.findall((text or "").casefold()):
        word = _ELISION.sub("", word.replace("’", "'"))
        found.extend(part for part in word.split("'") if part)
    return found


def terms(text):
    """Return the meaningful terms of ``text``: stems without accents, stop words removed.

    "Les vidéoprotections" and "videoprotection" give the same term; "de", "la", "est" none.
    """
    result = []
    for word in words(text):
        bare = strip_accents(word)
        if bare in STOP_WORDS or (len(bare) < 2 and not bare.isdigit()):
            continue
        # Stem the bare word: "securite" typed without accents must give the term of "sécurité".
        result.append(_stemmer.stemWord(bare))
    return result


def search_text(text):
    """Return the form stored for full-text search: the terms of ``text`` joined by spaces."""
    return " ".join(terms(text))


def fingerprint(text):
    """Return a hash identifying texts that say the same words, whatever accents, case and punctuation."""
    normalised = " ".join(strip_accents(word) for word in words(text))
    return hashlib.sha256(normalised.encode()).hexdigest()


def word_count(text):
    """Return the number of words of ``text``."""
    return len(words(text))


# ---------------------------------------------------------------------------------------------
# Concern analysis: words with their place in the text, so that phrases and quotes can be found.

#: Words that recur in citizens' questions without naming what worries them: courtesy, the asking
#: itself, quantities and time fillers. They are dropped (and break phrases) on top of STOP_WORDS
#: when looking for recurring concerns; search and duplicate detection do not use them.
CONCERN_STOP_WORDS = frozenset("""
afin ailleurs aimerais aimerions ainsi aller allez alors an annee annees ans apres assez
aujourd autour beaucoup bien bonjour bonsoir cas chacun chose choses cordialement demande demander
demandons demandent depuis derriere deja dessous dessus devant devez devons devraient dire dit
durant enfin envers etc faites fais falloir faudrait heure heures hors hui jamais jour jours loin
lorsque madame malgre merci mesdames messieurs met mettre mieux mis moins mois monsieur neanmoins
nombre nombreuses nombreux non notamment oui parfois parmi pendant pense pensez pensons penser
plusieurs pourraient pourrions pourriez pouvez pouvoir pouvons pourtant pres puis puisque quelque
quelques question questions remercie rien sais sait savoir selon semaine semaines souhaite
souhaitent souhaiterais souhaiterions souhaitons souvent svp toujours toutefois trop trouve
trouvez va vais veulent veut veux via voir vois voit vont voudrais voudrions voulons vraiment vu
""".split())

#: What comes before a word (spaces, punctuation), then the word with its elided article if any;
#: numbers are words of their own. The same words as :func:`words` finds, plus any other
#: character of a word ("²", "½") alone, so that the matches cover the text end to end and
#: their lengths give every word's place.
_GAP_AND_WORD = re.compile(
    r"([\W_]*)((?:(?i:[lmtsdnjc]|qu|jusqu|lorsqu|puisqu)['’])?[^\W\d_]+(?:['’][^\W\d_]+)*|\d+|\w)",
    re.UNICODE)
#: Between two words of one phrase: spaces, or one hyphen ("vidéo-protection"). Anything else —
#: a comma, a full stop, a line break, a bracket — ends the phrase.
_GLUE = re.compile(r"[ \t\u00a0\u202f]*(?:[-‐‑][ \t\u00a0\u202f]*)?")
_APOSTROPHE = re.compile(r"['’]")
#: Short gap → whether it glues two words; texts reuse a handful of gaps (" ", ", ", "-"…).
_glue_cache = {}


def _concern_term(word):
    """Return the term of a lower-cased word for concern analysis, or None when it names nothing."""
    bare = strip_accents(word)
    if bare in STOP_WORDS or bare in CONCERN_STOP_WORDS or len(bare) < 3 or not bare.isalpha():
        return None
    stem = _stemmer.stemWord(bare)
    # Snowball keeps a final s or x after a vowel ("videos", "lois", "jeux"): fold that plural too,
    # so that "vidéos" and "vidéo" are one term. Only when the stemmer left the letter in place,
    # which keeps its own folding intact ("dangereux" and "dangereuse" both give "danger").
    if len(bare) > 3 and stem[-1:] in ("s", "x") and bare[-1] == stem[-1]:
        stem = _stemmer.stemWord(bare[:-1])
    return stem


#: Word as written → term. Stemming costs some 80 µs a word in pure Python, and a corpus repeats
#: its words: each is stemmed once per process. Emptied when it grows past _TERM_CACHE_SIZE, so
#: that a long-running process reading every department keeps a bounded memory.
_term_cache = {}
_TERM_CACHE_SIZE = 500_000
_MISSING = object()


def concern_term(word):
    """Return the comparable term of one word for concern analysis, or None for a word that names nothing.

    Accents folded, plural and singular folded, stop words and question formulae dropped:
    "Vidéos" and "video" give "video"; "bonjour", "les" and "2009" give None.
    """
    term = _term_cache.get(word, _MISSING)
    if term is _MISSING:
        if len(_term_cache) >= _TERM_CACHE_SIZE:
            _term_cache.clear()
        term = _term_cache[word] = _concern_term(word.casefold())
    return term


def concern_tokens(text):
    """Return the terms of ``text`` as (term, start, end, glued) tuples, in order; stop words left out.

    ``term`` is :func:`concern_term` of the word; ``start`` and ``end`` give its place in
    ``text``, an elided article left out ("d'insécurité" starts at "i"); ``glued`` tells whether
    it follows the previous term closely enough to form a phrase with it: nothing but spaces, one
    hyphen or an elided article between them ("vidéo-protection", "sentiment d'insécurité") —
    never a stop word, a number or a punctuation mark ("police de proximité", "police, gendarmerie").
    """
    # One pass in C (findall), then a tight loop: this runs over every word of every question.
    found = []
    append = found.append
    cache_get = _term_cache.get
    glue_get = _glue_cache.get
    position = 0
    previous_term = None
    for gap, word in _GAP_AND_WORD.findall(text or ""):
        start = position + len(gap)
        position = start + len(word)
        glued = glue_get(gap)
        if glued is None:
            glued = _GLUE.fullmatch(gap) is not None
            if len(gap) < 4:
                # Short gaps repeat endlessly; long ones are rare, and caching them would grow without end.
                _glue_cache[gap] = glued
        if "'" in word or "’" in word:
            previous_term = _split_word(word, start, glued, previous_term, append)
            continue
        term = cache_get(word, _MISSING)
        if term is _MISSING:
            term = concern_term(word)
        if term is not None:
            append((term, start, position, glued and previous_term is not None))
        previous_term = term
    return found


def _split_word(word, start, glued, previous_term, append):
    """Append the terms of a word holding apostrophes; return the last part's term.

    The elided article is dropped and glues ("d'insécurité"); other parts ("aujourd'hui",
    "presqu'île") are words of their own, glued together.
    """
    elided = _ELISION.match(word.casefold())
    offset = start
    if elided:
        offset += elided.end()
        word = word[elided.end():]
    for part in _APOSTROPHE.split(word):
        if part:
            term = concern_term(part)
            if term is not None:
                append((term, offset, offset + len(part), glued and previous_term is not None))
            previous_term = term
            glued = True
        offset += len(part) + 1
    return previous_term
