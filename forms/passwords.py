"""What makes a new password acceptable (SPEC §16): at least 10 characters, and not guessable by zxcvbn's estimate
(score 3 of 4 or more: beyond about 10^10 guesses), judged with the person's email and name, so that neither
can be the password. A refusal says why, in zxcvbn's words when it has them."""
from wtforms.validators import ValidationError
from zxcvbn import zxcvbn

MIN_LENGTH, MIN_SCORE = 10, 3


def weakness(password, *personal):
    """Why `password` is refused, or None: `personal` are words of the person (email, name) it must not rest on."""
    if len(password) < MIN_LENGTH:
        return f"Use at least {MIN_LENGTH} characters."
    words = [w for text in personal if text for w in [text, *text.replace("@", " ").replace(".", " ").split()]]
    estimate = zxcvbn(password[:100], user_inputs=words)  # the estimate's cost grows with the length
    if estimate["score"] >= MIN_SCORE:
        return None
    personal_match = any(m.get("dictionary_name") == "user_inputs" for m in estimate["sequence"])
    warning = ("It is too close to your email or name." if personal_match
               else estimate["feedback"]["warning"] or "It would be easy to guess.")
    hint = " ".join(estimate["feedback"]["suggestions"]) or "Add a few more uncommon words."
    return f"Choose a stronger password. {warning.rstrip('.')}. {hint}"


class StrongPassword:
    """A WTForms validator: the field's password, judged with the values of the form's `personal` fields and the
    form's `known_words` (the email and name of a person the form does not ask for)."""

    def __init__(self, *personal):
        self.personal = personal

    def __call__(self, form, field):
        words = [getattr(form, name).data for name in self.personal] + list(getattr(form, "known_words", ()))
        problem = weakness(field.data or "", *words)
        if problem:
            raise ValidationError(problem)
