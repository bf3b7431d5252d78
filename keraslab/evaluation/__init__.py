"""What a page measures its models against: the judge that scores generated images, the
Fréchet distance in its feature space and the nearest-training-image check, and
the non-neural baselines (n-gram and bag-of-words text models, the seasonal-naive
forecast, gradient-boosted trees) that the neural models must beat."""

from keraslab.evaluation.baselines import (
    bag_of_words_accuracy,
    bigram_cross_entropy,
    gradient_boosting_accuracy,
    seasonal_naive,
)
from keraslab.evaluation.judge import judge_network, judge_samples, load_judge, train_judge
from keraslab.evaluation.sample_quality import (
    assess_samples,
    frechet_distance,
    frechet_report,
    gaussian_frechet_distance,
    judge_features,
    memorisation_report,
    nearest_distances,
)

__all__ = [
    "assess_samples",
    "bag_of_words_accuracy",
    "bigram_cross_entropy",
    "frechet_distance",
    "frechet_report",
    "gaussian_frechet_distance",
    "gradient_boosting_accuracy",
    "judge_features",
    "judge_network",
    "judge_samples",
    "load_judge",
    "memorisation_report",
    "nearest_distances",
    "seasonal_naive",
    "train_judge",
]
