"""Recognition policy: rules, decisions, explanations, overrides, marking and order checks.

Build a :class:`Policy` from programs (or a loaded region) and rules, then ask it about prior
results: ``policy.evaluate(result, receiver=..., at=..., context=...)`` returns a
:class:`Decision` that explains itself in Chinese and English and round-trips through JSON.

>>> from mutrec.policy import Outcome
>>> Outcome.RECOGNISED.recognised
True
"""

from __future__ import annotations

from mutrec.policy._batch import BATCH_SCHEMA, Batch, Request, RowError
from mutrec.policy._calls import check_order, evaluate_many
from mutrec.policy._context import ClinicalContext, Purpose
from mutrec.policy._decision import DECISION_SCHEMA, Decision
from mutrec.policy._findings import Finding, FrozenData, Outcome, Scalar, Severity, combine
from mutrec.policy._grounds import Ground, LocalGround
from mutrec.policy._marking import MarkLine
from mutrec.policy._orders import OrderCheck, OrderLine
from mutrec.policy._overrides import OVERRIDE_SCHEMA, Action, Override
from mutrec.policy._policy import Policy, default_rules
from mutrec.policy._reasons import CODE_PATTERN, Lang, Reason, Reasons, default_reasons
from mutrec.policy._rule import NO_FINDINGS, ExpiringRule, ProgramView, Rule, Subject
from mutrec.policy._rules_context import ContextWindowRule
from mutrec.policy._rules_facts import (
    ImagingRule,
    SpecimenRule,
    ValueConverter,
    ValueRule,
    identity_converter,
    units_converter,
)
from mutrec.policy._rules_grade import GradeRule
from mutrec.policy._rules_result import GroundsRule, PatientRule, WindowRule
from mutrec.policy._rules_source import CatalogueRule, MembershipRule, QualityRule, ScopeRule
from mutrec.policy._schemas import SCHEMA_NAMES, json_schema
from mutrec.policy._settings import MISSING_DATA_CODES, ProgramSettings

__all__ = [
    "BATCH_SCHEMA",
    "CODE_PATTERN",
    "DECISION_SCHEMA",
    "MISSING_DATA_CODES",
    "NO_FINDINGS",
    "OVERRIDE_SCHEMA",
    "SCHEMA_NAMES",
    "Action",
    "Batch",
    "CatalogueRule",
    "ClinicalContext",
    "ContextWindowRule",
    "Decision",
    "ExpiringRule",
    "Finding",
    "FrozenData",
    "GradeRule",
    "Ground",
    "GroundsRule",
    "ImagingRule",
    "Lang",
    "LocalGround",
    "MarkLine",
    "MembershipRule",
    "OrderCheck",
    "OrderLine",
    "Outcome",
    "Override",
    "PatientRule",
    "Policy",
    "ProgramSettings",
    "ProgramView",
    "Purpose",
    "QualityRule",
    "Reason",
    "Reasons",
    "Request",
    "RowError",
    "Rule",
    "Scalar",
    "ScopeRule",
    "Severity",
    "SpecimenRule",
    "Subject",
    "ValueConverter",
    "ValueRule",
    "WindowRule",
    "check_order",
    "combine",
    "default_reasons",
    "default_rules",
    "evaluate_many",
    "identity_converter",
    "json_schema",
    "units_converter",
]
