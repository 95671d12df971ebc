"""The data model, one module per aggregate."""
from .assessments import AssessmentImport, SelfAssessment
from .audit import AuditEntry
from .base import utcnow
from .campaigns import LIST_STATES, Campaign, Group, RespondentList, Unit
from .counters import DailyAnswerCounter, ProgressCounter
from .findings import Decision, Finding, InterferenceScan
from .index_runs import IndexRun
from .jobs import Heartbeat
from .mailing import INVITATION_STATES, OUTBOX_STATES, AddressProposal, Invitation, Mailbox, MailReply, OutboxMessage
from .respondents import Respondent, RespondentTarget
from .responses import Answer, Response, SealedAnswer, SurveyDraft
from .users import ROLES, User, UserScope

__all__ = [
    "AssessmentImport", "SelfAssessment", "AuditEntry", "utcnow", "LIST_STATES", "Campaign", "Group",
    "RespondentList", "Unit", "DailyAnswerCounter", "ProgressCounter", "Decision", "Finding", "InterferenceScan", "IndexRun", "Heartbeat", "INVITATION_STATES",
    "OUTBOX_STATES", "AddressProposal", "Invitation", "Mailbox", "MailReply", "OutboxMessage", "Respondent",
    "RespondentTarget", "Answer", "Response", "SealedAnswer", "SurveyDraft", "ROLES", "User", "UserScope",
]
