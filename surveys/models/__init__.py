"""Opinion surveys (điều tra dư luận xã hội), in three parts: the plan and its questionnaire (plans), what
collection brings (collection), and from answers to published results (results).

A plan belongs to one unit; its secretariat or leader drafts it and a leader of that unit approves it.
Approved, its steps run on the working calendar with reminders and escalation (surveys.services.steps).
The questionnaire is versioned: a version is a draft until collection starts, then frozen for good; a
change after that is a new version.
"""

from .plans import (  # noqa: F401
    SurveyMethod,
    PlanStatus,
    StepKind,
    SurveyPlan,
    StratumQuota,
    PopulationMargin,
    BudgetLine,
    PlanStep,
    PlanStepAlert,
    QuestionnaireStatus,
    QuestionnaireVersion,
    InterviewerAssignment,
    STEP_ORDER,
)
from .collection import (  # noqa: F401
    AnswerChannel,
    InvitationCode,
    SurveyAnswer,
    PaperEntry,
    PaperDecision,
    FollowUpContact,
    FollowUpContactRead,
    AnswerCorrection,
)
from .results import (  # noqa: F401
    FlagKind,
    AnswerFlag,
    CleaningDecision,
    CodeTag,
    AnswerCode,
    WeightingRun,
    BankQuestion,
    ResultsStatus,
    PublicationScope,
    SurveyResults,
)
