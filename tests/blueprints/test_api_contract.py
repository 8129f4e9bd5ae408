"""The API keeps its contract: schemathesis generates requests from the OpenAPI document, checks every answer.

Property-based (Hypothesis): for each operation, requests the document says are valid and requests it
says are not; each answer's status, Content-Type, headers and body must be those the document
states, no request may get a 500, and an invalid one must be refused. A request valid for the
schema may be refused (400) only by a rule the document states for the parameter at fault (an
unknown department, « to » before « from »…), named by the error. A modest number of examples per
operation keeps the run short.
"""
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from forums.blueprints.api.openapi import openapi_document
from forums.models import ForumStatus, QuestionStatus

from ..conftest import paris_time

schemathesis = pytest.importorskip("schemathesis", reason="schemathesis is a dev dependency: pip install -e '.[dev]'")
from schemathesis import GenerationMode  # noqa: E402  (only once schemathesis is known to be there)
from schemathesis.specs.openapi.checks import positive_data_acceptance  # noqa: E402

#: Examples per operation and per kind (valid, invalid): enough to reach each parameter's bounds, few
#: enough for a short run.
EXAMPLES = 30
OPERATIONS = {operation["operationId"]: operation
              for path in openapi_document()["paths"].values() for operation in path.values()}


def stated_refusals(operation):
    """Return the parameters whose description states when a schema-valid value is refused (400)."""
    parameters = openapi_document()["components"]["parameters"]
    named = (parameters[reference["$ref"].rsplit("/", 1)[1]] for reference in operation.get("parameters", ()))
    return {parameter["name"] for parameter in named if "400" in parameter["description"]}


def refused_only_by_a_stated_rule(ctx, response, case):
    """Fail when a schema-valid request is refused other than by a rule its parameter's description states."""
    if case.meta.generation.mode.is_positive and response.status_code == 400:
        parameter = response.json()["error"].get("parameter")
        stated = stated_refusals(OPERATIONS[case.operation.definition.raw["operationId"]])
        assert parameter in stated, (f"a valid request refused for « {parameter} », whose refusal the document "
                                     f"does not state: {response.json()['error']['message']}")


@pytest.fixture
def api(app, db, create_forum, create_question, subtopics):
    """The API's own OpenAPI document, over a consultation with forums of every state and questions."""
    forums = [create_forum(status=status, starts_at=paris_time(2009, 3, day), title=f"Forum {status.value}",
                           cancellation_reason="Salle indisponible." if status is ForumStatus.CANCELLED else "")
              for day, status in ((17, ForumStatus.PUBLISHED), (18, ForumStatus.POSTPONED), (19, ForumStatus.HELD),
                                  (20, ForumStatus.CANCELLED), (21, ForumStatus.DRAFT))]
    create_question(status=QuestionStatus.PUBLISHED, forum=forums[0])
    create_question("Les patrouilles de nuit sont-elles renforcées en été ?", status=QuestionStatus.PUBLISHED,
                    subtopic="2.A.1", answer_text="Oui, de juin à septembre.", answered_at=paris_time(2009, 3, 20))
    return schemathesis.openapi.from_wsgi("/api/openapi.json", app)


# Each operation's cases come from its own strategies rather than through schemathesis' pytest
# plugin, which reads an attribute pytest 9 no longer has.
@pytest.mark.parametrize("operation_id", list(OPERATIONS))
def test_every_answer_keeps_the_contract(api, operation_id):
    operation = api.find_operation_by_id(operation_id)

    @settings(max_examples=2 * EXAMPLES, deadline=None, database=None,
              suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
    @given(case=st.one_of(operation.as_strategy(GenerationMode.POSITIVE),
                          operation.as_strategy(GenerationMode.NEGATIVE)))
    def call_and_validate(case):
        # The test client does not undo HTTP compression as real clients do: bodies are checked as sent.
        case.call_and_validate(headers={"Accept-Encoding": "identity"}, excluded_checks=[positive_data_acceptance],
                               additional_checks=[refused_only_by_a_stated_rule])

    call_and_validate()
