"""Pure-Python synthesis engine: plain records in, figures, recurring concerns and documents out.

Never imports Flask, SQLAlchemy or the web app: the web app feeds it through one narrow adapter,
the command line and the tests call it directly, and the same records always give the same result.

- ``records``: the frozen records a department's synthesis is computed from (DepartmentInput…);
- ``coverage``: which cantons or communes the forums cover;
- ``figures``: forums, coverage, attendance, questions and proposals, each count with its sources;
- ``french``: French words reduced to search terms (full-text search, duplicates);
- ``meaning`` and ``concerns``: what contributions mean (lemmas, letter sequences, word vectors of
  fr_core_news_md) and the recurring concerns found by grouping them, per sub-topic and across,
  with labels, anonymous quotes and the signatures larger scopes combine; ``evaluation`` scores
  them against a labelled corpus;
- ``sources``: the trace format (``[Q 13-000124]``, ``[CR forum 12]``…) that ties every sentence to
  what it comes from;
- ``typography``: French numbers, dates, spaces and Markdown escaping;
- ``drafting``: the departmental draft — the three required parts, figures and annexes;
- ``national``: departments added up, compared, and the national draft for the assises.
"""
