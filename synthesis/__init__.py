"""Pure-Python synthesis engine: plain records in, figures, recurring concerns and documents out.

Never imports Flask, SQLAlchemy or the web app: the web app feeds it through one narrow adapter,
the command line and the tests call it directly, and the same records always give the same result.

- ``records``: the frozen records a department's synthesis is computed from (DepartmentInput…);
- ``coverage``: which cantons or communes the forums cover;
- ``figures``: forums, coverage, attendance, questions and proposals, each count with its sources;
- ``french`` and ``concerns``: French terms and phrases, recurring concerns per sub-topic with
  anonymous quotes, and the term tables larger scopes add up;
- ``sources``: the trace format (``[Q 13-000124]``, ``[CR forum 12]``…) that ties every sentence to
  what it comes from;
- ``typography``: French numbers, dates, spaces and Markdown escaping;
- ``drafting``: the departmental draft — the three required parts, figures and annexes;
- ``national``: departments added up, compared, and the national draft for the assises.
"""
