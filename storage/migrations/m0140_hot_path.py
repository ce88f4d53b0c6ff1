"""Cheaper answers (issue 11, bench/flows.py): `flow_answers_updated` cost a page write on every
stored answer, for one query ("last active", MAX(updated_at) of one person) that the unique
(person_id, flow, instance, question, idx) index serves as well: a person has a few hundred
answers at most."""

VERSION = 140

STATEMENTS = [
    "DROP INDEX IF EXISTS flow_answers_updated",
]


def apply(db) -> None:
    for statement in STATEMENTS:
        db.execute(statement)
