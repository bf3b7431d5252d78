"""What a page measures its models against: the judge that scores generated images, and
the non-neural baselines (n-gram and bag-of-words text models, the seasonal-naive
forecast, gradient-boosted trees) that the neural models must beat."""

from keraslab.evaluation.baselines import (
    bag_of_words_accuracy,
    bigram_cross_entropy,
    gradient_boosting_accuracy,
    seasonal_naive,
)
from keraslab.evaluation.judge import judge_samples, train_judge

__all__ = [
    "bag_of_words_accuracy",
    "bigram_cross_entropy",
    "gradient_boosting_accuracy",
    "judge_samples",
    "seasonal_naive",
    "train_judge",
]
