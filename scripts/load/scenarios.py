"""What a run measures: each scenario names its wrk script, its server, its paths and its baseline.

The path lists are written to files in the run's directory, read by the Lua scripts. "Cached"
paths repeat on the product. "Uncached" ones (pages, searches, API pages) go to the "rendering"
server, the product with its page cache off (``FORUMS_PUBLIC_CACHE_MB=0``): every request is
rendered, as for the first visitor after a change; junk parameters would not do, since the cache
key ignores them.
"""
import itertools
import random
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

WORDS_FILE = Path(__file__).resolve().parent / "words.txt"
#: The department of the hot paths: the Nord, the one with the most questions.
DEPARTMENT = "59"
DEFAULT_DEPARTMENTS = ("59", "75", "13", "69", "33", "31", "44", "67", "06", "2A")
#: Pages of the distinct API queries: enough combinations with the words for any short run, and no
#: further than a search is paged (1,000 questions, 50 a page).
API_PAGES = 20
#: Pages of the national API list: as far as it is paged (10,000 questions, 50 a page).
API_LIST_PAGES = 200


@dataclass(frozen=True)
class Scenario:
    """One wrk load: on which server, with which script and arguments, compared with which baseline."""

    key: str
    group: str
    label: str
    server: str
    script: str
    arguments: tuple = ()
    #: Statuses that count as success.
    expected: frozenset = frozenset({200})
    #: The baseline scenario it is compared with ("constant" or "write"), None for a baseline itself.
    baseline: str | None = "constant"
    #: Whether a short unreported load runs first, so that every worker has the pages in its cache (for a
    #: rendered page or a submission: its statements compiled, its connections open, as a server that has
    #: been up a while): otherwise whichever scenario runs first on a server measures its new workers.
    warmup: bool = True

    @property
    def rate_key(self):
        """Return the name other scenarios give this one as their baseline."""
        return {"baseline-constant": "constant", "baseline-constant-again": "constant",
                "baseline-write": "write"}.get(self.key, self.key)


def words():
    """Return the words of the searches and of the submitted questions."""
    return [line.strip() for line in WORDS_FILE.read_text(encoding="utf-8").splitlines() if line.strip()]


def write_paths(directory, name, paths):
    """Write a path list for a Lua script; return its file name."""
    path = Path(directory) / f"{name}.txt"
    path.write_text("\n".join(paths) + "\n", encoding="utf-8")
    return str(path)


def api_queries(prefix, seed):
    """Return every ``q``/``page`` combination of the word list after ``prefix``, shuffled."""
    combos = [f"{prefix}q={quote(word)}&page={page}" for word, page in itertools.product(words(), range(1, API_PAGES + 1))]
    random.Random(seed).shuffle(combos)
    return combos


def cached_paths(forum_id):
    """Return {key: path} of the public paths measured from the cache: pages, feeds, API."""
    return {
        "home": "/", "agenda": "/agenda", "department": f"/departements/{DEPARTMENT}", "forum": f"/forums/{forum_id}",
        "list": f"/departements/{DEPARTMENT}/questions", "feed": "/calendrier.ics",
        "department-feed": f"/departements/{DEPARTMENT}/calendrier.ics", "api-forums": "/api/v1/forums",
        "api-questions": f"/api/v1/questions?department={DEPARTMENT}",
    }


def build(directory, forum_id, connections, run_id, departments):
    """Return the scenarios of a run, in the order they run, with their path files written."""
    common = (f"threads={connections}", f"run={run_id}")

    def paths_scenario(key, group, label, paths, mode="cycle", bust=None, server="product", gzip=False, **options):
        arguments = (f"paths={write_paths(directory, key, paths)}", f"mode={mode}", *common)
        if bust:
            arguments += (f"bust={bust}",)
        if gzip:
            arguments += ("gzip=1",)
        return Scenario(key=key, group=group, label=label, server=server, script="paths.lua",
                        arguments=arguments, **options)

    def submit_scenario(key, label, server, form, baseline):
        return Scenario(key=key, group="submission", label=label, server=server, script="submit.lua",
                        arguments=(f"form={form}", f"out={Path(directory) / key}", f"words={WORDS_FILE}",
                                   f"departments={','.join(departments)}", *common),
                        expected=frozenset({200, 303}), baseline=baseline)

    scenarios = [
        Scenario(key="baseline-constant", group="baseline", label="bare Flask route returning a constant",
                 server="baseline", script="paths.lua",
                 arguments=(f"paths={write_paths(directory, 'baseline-constant', ['/'])}", *common),
                 baseline=None),
    ]
    cached = cached_paths(forum_id)
    for key, path in cached.items():
        scenarios.append(paths_scenario(f"cached-{key}", "cached", f"`{path}` cached", [path]))
    # Calendar clients and browsers accept gzip: the large national feed is sent compressed to them.
    scenarios.append(paths_scenario("cached-feed-gzip", "cached", f"`{cached['feed']}` cached, Accept-Encoding: gzip",
                                    [cached["feed"]], gzip=True))
    scenarios.append(paths_scenario(
        "cached-junk", "cached", "`/?x=…` junk parameter, a new value each time", ["/"], bust="x"))
    for key in ("home", "department", "api-questions"):
        path = cached[key]
        scenarios.append(Scenario(key=f"304-{key}", group="304", label=f"`{path}` If-None-Match → 304", server="product",
                                  script="etag.lua", arguments=(f"path={path}", *common),
                                  expected=frozenset({304})))
    for key, path in (("uncached-home", "/"), ("uncached-department", f"/departements/{DEPARTMENT}"),
                      ("uncached-list", f"/departements/{DEPARTMENT}/questions"),
                      ("uncached-list-page-300", f"/departements/{DEPARTMENT}/questions?page=300")):
        scenarios.append(paths_scenario(key, "uncached", f"`{path}` rendered (cache off)", [path],
                                        server="rendering", baseline=None))
    # Rendered answers have goals of their own (p95), not a ratio to a constant.
    scenarios.append(paths_scenario(
        "uncached-list-search", "search", f"`/departements/{DEPARTMENT}/questions?q=<word>` rendered",
        [f"/departements/{DEPARTMENT}/questions?q={quote(word)}" for word in words()], server="rendering",
        baseline=None))
    scenarios.append(paths_scenario(
        "api-search-national", "search", "`/api/v1/questions?q=<word>&page=<n>` national, distinct",
        api_queries("/api/v1/questions?", 1), mode="distinct", server="rendering", baseline=None))
    scenarios.append(paths_scenario(
        "api-search-department", "search",
        f"`/api/v1/questions?department={DEPARTMENT}&q=<word>&page=<n>`, distinct",
        api_queries(f"/api/v1/questions?department={DEPARTMENT}&", 2), mode="distinct", server="rendering",
        baseline=None))
    scenarios.append(paths_scenario(
        "api-pages", "api", f"`/api/v1/questions?page=<n>` (pages 1–{API_LIST_PAGES}, as far as the API pages), distinct",
        [f"/api/v1/questions?page={page}" for page in random.Random(3).sample(range(1, API_LIST_PAGES + 1), API_LIST_PAGES)],
        mode="distinct", server="rendering", baseline=None))
    scenarios.append(submit_scenario("baseline-write", "bare GET page + `INSERT … ; COMMIT` (the same flow)",
                                     "baseline", "/write", None))
    scenarios.append(submit_scenario("submission", "ask a question: GET form + POST (+ confirm when asked)",
                                     "product", "/questions/poser", "write"))
    scenarios.append(Scenario(key="baseline-constant-again", group="baseline",
                              label="bare Flask route returning a constant, again", server="baseline",
                              script="paths.lua", arguments=scenarios[0].arguments, baseline=None))
    return scenarios


def rss_paths(forum_id, total, uncached_every=10):
    """Return ``total`` paths for the memory measure: the cached paths in turn, every n-th one distinct.

    The distinct ones are rendered and fill the cache, the way a crawler would: pages, searches and
    API pages (junk parameters no longer make a page distinct).
    """
    cached = itertools.cycle(cached_paths(forum_id).values())
    kinds = (f"/departements/{DEPARTMENT}/questions?page={{n}}", "/trouver-mon-forum?q={n}",
             f"/forums/{forum_id}/questions?page={{n}}", "/api/v1/forums?page={n}", "/api/v1/questions?page={n}")
    # Each kind in turn, its number moving on once every kind had it: pages stay within what is paged.
    distinct = (kinds[number % len(kinds)].format(n=number // len(kinds) % API_LIST_PAGES + 1)
                for number in itertools.count())
    return [next(distinct) if index % uncached_every == 0 else next(cached) for index in range(1, total + 1)]
