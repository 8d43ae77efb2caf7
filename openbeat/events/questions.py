"""The Public Attitude Survey's questions on its own answer scales, shared by event feedback
and the quarterly trust pulse (openbeat.surveys).

Each question names the PAS measure it feeds (as the London Datastore file labels it) and
which answers count as agreeing, the way MOPAC computes the published share. The wording
follows MOPAC's PAS questionnaire. "Deal with the things that matter to this community"
has no measure of its own in the published file, so it is shown but not compared.

The PAS asks how much people trust "the Metropolitan Police Service"; here the trust
question names the force of the ward it is asked about (:meth:`Question.asked`), so nobody
outside London is asked about the Met. Its name, answers and measure stay the same, so
answers given anywhere, before or after, are counted together.
"""

from __future__ import annotations

from dataclasses import dataclass

AGREE = (("strongly_agree", "Strongly agree"), ("tend_to_agree", "Tend to agree"),
         ("neither", "Neither agree nor disagree"), ("tend_to_disagree", "Tend to disagree"),
         ("strongly_disagree", "Strongly disagree"))
AGREEING = frozenset({"strongly_agree", "tend_to_agree"})


@dataclass(frozen=True)
class Question:
    name: str  # field name on Feedback and PulseAnswer
    text: str
    choices: tuple[tuple[str, str], ...]
    agreeing: frozenset[str]
    measure: str | None  # the published PAS measure it matches, if any
    short: str

    def asked(self, *, force_name: str | None = None) -> str:
        """The question as put to someone in ``force_name``'s area (None: the force is not known)."""
        return self.text.replace("{force}", force_words(force_name))


def force_words(force_name: str | None) -> str:
    """A force's name as the object of a sentence: "the Metropolitan Police Service", as the PAS
    says, and "the Police Service of Northern Ireland"; "Kent Police" and the like without "the"."""
    if not force_name:
        return "your local police force"
    return f"the {force_name}" if "Service" in force_name and not force_name.startswith("the ") else force_name


QUESTIONS: tuple[Question, ...] = (
    Question("good_job", "Taking everything into account, how good a job do you think the police in this area "
             "are doing?", (("excellent", "Excellent"), ("good", "Good"), ("fair", "Fair"), ("poor", "Poor"),
                            ("very_poor", "Very poor")),
             frozenset({"excellent", "good"}), '"Good Job" local', "Good job in this area"),
    Question("relied_on", "To what extent do you agree: the police in this area can be relied upon to be there "
             "when needed.", AGREE, AGREEING, "Relied on to be there", "Relied on to be there"),
    Question("fair", "The police in this area treat everyone fairly regardless of who they are.", AGREE,
             AGREEING, "Treat everyone fairly", "Treat everyone fairly"),
    Question("listen", "The police in this area listen to the concerns of local people.", AGREE, AGREEING,
             "Listen to concerns", "Listen to concerns"),
    Question("deal", "The police in this area deal with the things that matter to people in this community.",
             AGREE, AGREEING, None, "Deal with what matters"),
    Question("informed", "How well informed do you feel about what the police have been doing in your local "
             "area over the last 12 months?", (("very_well", "Very well informed"),
                                              ("fairly_well", "Fairly well informed"),
                                              ("not_very_well", "Not very well informed"),
                                              ("not_at_all", "Not at all informed")),
             frozenset({"very_well", "fairly_well"}), "Informed local", "Informed about local policing"),
    Question("trust", "How much do you trust {force}?",
             (("great_deal", "A great deal"), ("fair_amount", "A fair amount"), ("not_very_much", "Not very much"),
              ("not_at_all", "Not at all")), frozenset({"great_deal", "fair_amount"}), "Trust MPS",
             "Trust the police"),
)
BY_NAME = {q.name: q for q in QUESTIONS}
#: Answer a question with this to skip it (it then counts in no share).
SKIP = ""


def agrees(question: Question, answer: str) -> bool | None:
    """True/False for an answer, None when skipped or not an answer on its scale."""
    if answer not in dict(question.choices):
        return None
    return answer in question.agreeing
