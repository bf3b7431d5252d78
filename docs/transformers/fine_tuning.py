# ---
# jupyter:
#   jupytext:
#     text_representation:
#       extension: .py
#       format_name: percent
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # Fine-tuning a pretrained model
#
# A model pretrained on a lot of unlabelled text already knows something about the
# text; **fine-tuning** adapts it to a labelled task with few labels. This page takes one
# of keraslab's shipped presets, a small character-level BERT-style encoder (see
# [encoder-only Transformers](encoder_only.py)) pretrained with the masked-language-model
# objective on the Python documentation, and trains it on a small labelled task four
# ways, with the same data and the same number of epochs:
#
# 1. **from scratch**: the same architecture, random weights;
# 2. **frozen backbone + new head** (feature extraction): only the head trains;
# 3. **full fine-tuning** at a low learning rate: every weight trains;
# 4. **LoRA**: the pretrained kernels stay frozen and a low-rank update trains beside
#    each projection of every block.
#
# For each it reports the held-out accuracy, the number of trainable parameters, the
# training time and the learning curve.

# %%
import time

import keras
import matplotlib.pyplot as plt
import numpy as np

import keraslab
from keraslab import course, presets
from keraslab.course.diagrams.fine_tuning import fine_tuning_methods, lora_adapter
from keraslab.datasets import load_doc_topics
from keraslab.evaluation import bag_of_words_accuracy
from keraslab.models import EncoderOnlyTransformer
from keraslab.training import enable_lora

print(keraslab.describe_environment())
SEED = 0  # one seed for every random draw on the page
QUICK = keraslab.quick_mode()  # the test suite runs the page in quick mode
PRESET = "bert_char_python_docs"  # the shipped encoder
NUM_LABELLED = 32 if QUICK else 400  # labelled training paragraphs
NUM_TEST = 32 if QUICK else 300  # held-out paragraphs
EPOCHS = 1 if QUICK else 10  # passes over the labelled paragraphs, for every method
BATCH_SIZE = 32  # paragraphs per step
LEARNING_RATES = {  # Adam's step size, per method
    "from scratch": 1e-3,
    "frozen backbone": 1e-3,
    "full fine-tuning": 2e-4,
    "LoRA": 1e-3,
}
LORA_RANK = 4  # rank r of every adapter
keras.utils.set_random_seed(SEED)

# %% [markdown]
# ## The preset
#
# `EncoderOnlyTransformer.from_preset(name)` loads a model that ships inside the
# package, under any backend: nothing downloads. Its metadata says how it was made,
# by one command, `scripts/pretrain NAME`, from the same public API the pages use.

# %%
info = presets.metadata(PRESET)
backbone = EncoderOnlyTransformer.from_preset(PRESET)
vocabulary = presets.vocabulary(PRESET)
course.markdown(
    "| preset | class | metric on held-out data | trained |\n| --- | --- | --- | --- |\n"
    + "\n".join(
        f"| `{name}` | {m['class']} | {m['metric']['name']} {m['metric']['value']:.3f} | "
        f"{m['steps']} steps, {m['training_seconds']:.0f} s on {m['backend']} |"
        for name, m in presets.list().items()
    )
    + f"\n\nThe encoder: {backbone.num_layers} blocks of width {backbone.hidden_dim}, "
    f"**{backbone.count_params():,}** parameters, a vocabulary of {vocabulary.size} "
    f"characters, windows of {backbone.sequence_length} characters starting with `[CLS]`. "
    f"It was pretrained on the first 90% of the documentation text (`{info['command']}`)."
)

# %% [markdown]
# ## The labelled task: which part of the documentation is a paragraph from?
#
# The same task as on the [encoder-only page](encoder_only.py): documentation
# paragraphs labelled **statements**, **expressions**, **data model** or **built-in
# types** (`keraslab.datasets.load_doc_topics`). We keep only `NUM_LABELLED` labelled
# paragraphs for training, the few-labels setting where pretraining should matter.
# Each paragraph becomes `[CLS]` and its first characters, padded with id 0.
#
# The pretraining text contains these paragraphs, without their labels: the encoder
# has read them, but never seen a topic. This is the usual setting (ULMFiT even
# fine-tunes its language model on the task's own text first), and it is what the
# accuracies below measure.

# %%
texts, labels, class_names = load_doc_topics()
order = np.random.default_rng(SEED).permutation(len(texts))
train_rows, test_rows = order[:NUM_LABELLED], order[NUM_LABELLED : NUM_LABELLED + NUM_TEST]


def encode(rows):
    """`[CLS]` and the first `T - 1` characters of each paragraph: `(N, T)` ids."""
    length = backbone.sequence_length
    ids = np.zeros((len(rows), length), dtype="int32")
    for i, row in enumerate(rows):
        chars = vocabulary.encode(texts[row][: length - 1])
        ids[i, 0] = vocabulary.token_id("[CLS]")
        ids[i, 1 : 1 + len(chars)] = chars
    return ids


x_train, y_train = encode(train_rows), labels[train_rows]
x_test, y_test = encode(test_rows), labels[test_rows]
majority = course.record(
    "most frequent class accuracy",
    np.mean(y_test == np.bincount(y_train).argmax()),
    unit="fraction",
)
tfidf = course.record(
    "TF-IDF accuracy",
    bag_of_words_accuracy(
        [texts[r] for r in train_rows], y_train, [texts[r] for r in test_rows], y_test
    ),
    unit="fraction",
)
course.markdown(
    f"**{len(texts)}** labelled paragraphs in all; {len(x_train)} for training, "
    f"{len(x_test)} held out. Always answering the most frequent class scores "
    f"**{majority:.1%}**; TF-IDF and logistic regression, on the whole paragraph's words, "
    f"**{tfidf:.1%}**."
)

# %% [markdown]
# ## Four ways to train
#
# Every method builds the same classifier, an `EncoderOnlyTransformer` with the preset's
# configuration and a classification head (a dense layer on the `[CLS]` vector, then
# the class scores). What differs is where its weights start and which ones train:

# %%
fine_tuning_methods()
plt.show()

# %% [markdown]
# **LoRA** (low-rank adaptation) freezes each pretrained kernel $W \in \mathbb{R}^{d
# \times k}$ and learns a low-rank update beside it. With $A \in \mathbb{R}^{d \times r}$,
# $B \in \mathbb{R}^{r \times k}$ and $r \ll \min(d, k)$, the layer computes
#
# $$
# h = x \left(W + \frac{\alpha}{r} A B\right)
# $$
#
# (Hu et al. write it $W_0 + \frac{\alpha}{r} BA$, acting on column vectors). $B$ starts
# at zero, so at first the model is exactly the pretrained one; each adapter trains
# $r(d + k)$ numbers instead of $dk$. Keras has it built in: `layer.enable_lora(r)` on
# a `Dense`, `EinsumDense` or `Embedding` layer. keraslab's attention projections are
# `EinsumDense` layers and its feed-forward layers `Dense`, so it reaches all of them;
# `keraslab.training.enable_lora` freezes the model and calls it on every projection of
# every block:

# %%
lora_adapter()
plt.show()
course.show_source(enable_lora)


# %%
def classifier(pretrained):
    """A topic classifier with the preset's configuration; its embedding and blocks
    start from the preset's weights if `pretrained`."""
    keras.utils.set_random_seed(SEED)
    config = {**backbone.get_config(), "head": "classification", "num_classes": 4}
    model = EncoderOnlyTransformer.from_config({**config, "name": "topic_classifier"})
    model.build(x_train.shape)
    if pretrained:
        for target, source in [
            (model.embedding, backbone.embedding),
            (model.embedding_norm, backbone.embedding_norm),
            *zip(model.blocks, backbone.blocks),
        ]:
            target.set_weights(source.get_weights())
    return model


def frozen(model):
    for layer in [model.embedding, model.embedding_norm, *model.blocks]:
        layer.trainable = False
    return model


def lora(model):
    enable_lora(model, LORA_RANK, trainable_layers=["head_dense", "output_dense"])
    return model


METHODS = {
    "from scratch": lambda: classifier(pretrained=False),
    "frozen backbone": lambda: frozen(classifier(pretrained=True)),
    "full fine-tuning": lambda: classifier(pretrained=True),
    "LoRA": lambda: lora(classifier(pretrained=True)),
}
results = {}
for name, make in METHODS.items():
    model = make()
    model.compile(
        optimizer=keras.optimizers.Adam(LEARNING_RATES[name]),
        loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
        metrics=["accuracy"],
    )
    trainable = sum(int(np.prod(w.shape)) for w in model.trainable_weights)
    start = time.perf_counter()
    history = model.fit(
        x_train,
        y_train,
        validation_data=(x_test, y_test),
        epochs=EPOCHS,
        batch_size=BATCH_SIZE,
        verbose=0,
    )
    seconds = time.perf_counter() - start
    results[name] = {
        "accuracy": course.record(
            f"{name}: held-out accuracy", history.history["val_accuracy"][-1], "fraction"
        ),
        "trainable": trainable,
        "total": model.count_params(),
        "seconds": course.record(f"{name}: training time", seconds, unit="s"),
        "curve": history.history["val_accuracy"],
    }
    print(f"{name}: {results[name]['accuracy']:.1%} in {seconds:.0f} s")

# %%
fig, ax = plt.subplots(figsize=(6.5, 3.4))
for name, result in results.items():
    ax.plot(range(1, EPOCHS + 1), result["curve"], marker="o", ms=3, label=name)
ax.axhline(tfidf, color="gray", ls="--", label="TF-IDF + logistic regression")
ax.axhline(majority, color="gray", ls=":", label="most frequent class")
ax.set_xlabel("epoch")
ax.set_ylabel("held-out accuracy")
ax.legend(fontsize=8)
plt.show()

# %%
scratch, head, full, adapters = (results[name] for name in METHODS)
course.markdown(
    "| method | held-out accuracy | trainable parameters | share of the model | "
    "training time |\n| --- | --- | --- | --- | --- |\n"
    + "\n".join(
        f"| {name} | **{r['accuracy']:.1%}** | {r['trainable']:,} | "
        f"{r['trainable'] / r['total']:.1%} | {r['seconds']:.0f} s |"
        for name, r in results.items()
    )
    + f"\n\nAll four saw the same {len(x_train)} labelled paragraphs for {EPOCHS} epochs "
    f"on {keraslab.backend()}. Starting from the preset changes the accuracy by "
    f"**{full['accuracy'] - scratch['accuracy']:+.1%}** with full fine-tuning, "
    f"**{head['accuracy'] - scratch['accuracy']:+.1%}** with the frozen backbone and "
    f"**{adapters['accuracy'] - scratch['accuracy']:+.1%}** with LoRA, which trains "
    f"{adapters['trainable'] / full['trainable']:.1%} as many weights as full fine-tuning. "
    f"TF-IDF on the whole paragraph's words scores {tfidf:.1%}."
)

# %%
best = max(r["accuracy"] for r in results.values())
verdict = (
    "a bag of words, which sees every word of a paragraph, stays ahead of every encoder "
    "here, as on the [encoder-only page](encoder_only.py)"
    if tfidf > best
    else "even so, the best encoder beats the bag of words here"
)
course.markdown(
    "What these figures say, and what they do not: they are one run, one seed, one small "
    "split, so differences of a few points are within the noise of which paragraphs were "
    "drawn. The preset is tiny (pretrained for minutes on one documentation's text) and "
    "reads characters, not words, so it knows spelling and local syntax more than topics; "
    f"{verdict}. Pretrained models earn their keep with billions of words of pretraining."
)

# %% [markdown]
# ## Saving a LoRA model
#
# Keras saves a LoRA layer with its kernel merged, $W + \frac{\alpha}{r} AB$: the
# `.keras` file of the adapted classifier loads as an ordinary classifier with the same
# outputs, on any backend.

# %%
lora_classifier = model  # the last one the loop trained
path = "/tmp/fine_tuned_lora.keras"
lora_classifier.save(path)
again = keras.saving.load_model(path)
gap = np.max(
    np.abs(
        keras.ops.convert_to_numpy(again(x_test[:8]))
        - keras.ops.convert_to_numpy(lora_classifier(x_test[:8]))
    )
)
print(f"largest output difference after the round-trip: {gap:.1e}")
assert gap < 1e-4

# %% [markdown]
# ## The same steps with keras-hub
#
# With network access, keras-hub's presets are real pretrained models (BERT, Gemma,
# Llama...) downloaded on first use. The same four ways look like this. **This block is
# not executed on this page**: the site builds offline.
#
# ```python
# import keras
# import keras_hub
#
# classifier = keras_hub.models.BertTextClassifier.from_preset(
#     "bert_tiny_en_uncased", num_classes=4
# )
# # 2. frozen backbone + new head
# classifier.backbone.trainable = False
# # 3. full fine-tuning: leave everything trainable, lower the learning rate
# # 4. LoRA on the backbone's query and value projections
# classifier.backbone.enable_lora(4)
# classifier.compile(optimizer=keras.optimizers.Adam(5e-5))
# classifier.fit(x=train_texts, y=train_labels, batch_size=32, epochs=3)
# ```
#
# ## When you'd use which
#
# * **Frozen backbone + head** when labels are very few or compute is tight: it trains
#   only the head, and one forward pass of the backbone per example could even be
#   cached as features.
# * **Full fine-tuning** when you have enough labels and memory: it usually reaches the
#   best accuracy, at a low learning rate so it does not wash out what pretraining
#   learned.
# * **LoRA** when the model is large: it trains a small fraction of the weights (here
#   and in the paper), so optimizer state and gradients are small, and each task's
#   adapters are a small file beside one shared backbone.
# * **From scratch** when no pretrained model matches your data (a new kind of input),
#   or when you have as much labelled data as the pretraining had.
#
# ## Exercises
#
# 1. Set `NUM_LABELLED = 100`. Which method loses the most? Hint: compare the gap
#    between "from scratch" and "full fine-tuning" with the one in the table above.
# 2. Set `LORA_RANK = 1` and then `16`. How do the trainable parameters and the
#    accuracy change?
# 3. Set the full fine-tuning learning rate to that of "from scratch". Does the
#    fine-tuned model keep its head start? Hint: look at the first epochs of the curve.
# 4. Pretrain longer with `scripts/pretrain bert_char_python_docs --epochs 20` and run
#    the page again: does a better masked-character accuracy give a better classifier?
#
# ## References
#
# * Hu et al. 2021, "LoRA: Low-Rank Adaptation of Large Language Models":
#   [arXiv:2106.09685](https://arxiv.org/abs/2106.09685).
# * Howard & Ruder 2018, "Universal Language Model Fine-tuning for Text Classification"
#   (ULMFiT): [arXiv:1801.06146](https://arxiv.org/abs/1801.06146).
# * Devlin et al. 2018, "BERT: Pre-training of Deep Bidirectional Transformers for
#   Language Understanding": [arXiv:1810.04805](https://arxiv.org/abs/1810.04805).
# * Vaswani et al. 2017, "Attention Is All You Need":
#   [arXiv:1706.03762](https://arxiv.org/abs/1706.03762).
