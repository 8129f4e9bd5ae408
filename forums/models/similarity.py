"""The similarity index of questions: keys shared by questions whose words are nearly the same."""
from sqlalchemy import BigInteger, ForeignKey
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db


class QuestionSimilarityKey(db.Model):
    """One key of a question (a MinHash band of its terms, or its fingerprint), scoped to its department.

    Written by ``services.similarity_index`` whenever a question's words change; read to find the
    few questions that may repeat a text without loading the department.
    """

    __tablename__ = "question_similarity_keys"

    key: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    question_id: Mapped[int] = mapped_column(ForeignKey("questions.id", ondelete="CASCADE"), primary_key=True,
                                             index=True)
