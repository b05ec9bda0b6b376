"""The eligibility engine (docs/eligibility.md): statutory rules, council policy, and the
date each award must end. Pure: facts and policy in, a Decision out."""

from transport.domain.eligibility.assess import assess
from transport.domain.eligibility.model import Decision, Facts, Policy, RuleResult

__all__ = ["Decision", "Facts", "Policy", "RuleResult", "assess"]
