"""The bundled sample share: the shared drive of the fictional Stichting Wegwijs, generated."""

from service.sample_share.generate import generate_sample_share
from service.sample_share.questions import SampleQuestion, load_questions

__all__ = ["SampleQuestion", "generate_sample_share", "load_questions"]
