"""What a page measures its models against: the judge that scores generated images, and
the non-neural baselines that the Transformer pages must beat."""

from keraslab.evaluation.baselines import bag_of_words_accuracy, bigram_cross_entropy
from keraslab.evaluation.judge import judge_samples, train_judge

__all__ = ["bag_of_words_accuracy", "bigram_cross_entropy", "judge_samples", "train_judge"]
