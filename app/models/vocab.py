"""Controlled vocabularies. The database enforces the same lists with CHECK constraints."""

from enum import StrEnum


class SourceKind(StrEnum):
    news_outlet = "news_outlet"
    news_service = "news_service"
    government_body = "government_body"
    military_body = "military_body"
    ngo = "ngo"
    person = "person"
    document = "document"
    archive = "archive"


class EventType(StrEnum):
    desertion = "desertion"
    casualties = "casualties"
    deployment = "deployment"
    recruitment = "recruitment"
    incident = "incident"
    statement = "statement"
    directive = "directive"
    invasion = "invasion"
    execution = "execution"
    war = "war"
    other = "other"


class Qualifier(StrEnum):
    exact = "exact"
    at_least = "at_least"
    more_than = "more_than"
    at_most = "at_most"
    fewer_than = "fewer_than"
    approximately = "approximately"
    range = "range"
    order_of_magnitude = "order_of_magnitude"


class Status(StrEnum):
    published = "published"
    corrected = "corrected"
    retracted = "retracted"


# What lists show unless asked for more: everything but retracted records.
VISIBLE = (Status.published.value, Status.corrected.value)


class Role(StrEnum):
    claimant = "claimant"
    relay = "relay"
    publisher = "publisher"
    quoted = "quoted"


class Entity(StrEnum):
    source = "source"
    event = "event"
    figure = "figure"
    attribution = "attribution"
    measure = "measure"


class Action(StrEnum):
    create = "create"
    update = "update"
    retract = "retract"
    delete = "delete"


def in_check(column: str, vocabulary: type[StrEnum]) -> str:
    """SQL text of a CHECK that keeps ``column`` inside ``vocabulary``."""
    values = ", ".join(f"'{member.value}'" for member in vocabulary)
    return f"{column} IN ({values})"
