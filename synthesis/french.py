"""French text reduced to comparable terms: the same words whatever their accents, case or number.

Used to search questions (identically on SQLite and PostgreSQL: both index the terms computed
here) and to spot duplicates; :mod:`synthesis.meaning` adds its words without a concern.
"""
import hashlib
import re
import threading
import unicodedata
from functools import lru_cache

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

#: Snowball stemmers keep their state on the instance: one per thread (gunicorn serves with threads).
_stemmers = threading.local()


#: Words whose stems are remembered: the stemmer is pure Python (about 0.1 ms a word) and questions
#: share most of their words; the most frequent ones fit in this many (about 2 MB at most).
STEM_CACHE_SIZE = 16384


@lru_cache(maxsize=STEM_CACHE_SIZE)
def stem(word):
    """Return the French Snowball stem of ``word``, with this thread's own stemmer."""
    stemmer = getattr(_stemmers, "french", None)
    if stemmer is None:
        stemmer = _stemmers.french = snowballstemmer.stemmer("french")
    return stemmer.stemWord(word)


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
        result.append(stem(bare))
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
# Concern analysis (synthesis.meaning builds on this list).

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
