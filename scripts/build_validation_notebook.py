"""Write notebooks/05_validation.ipynb (no outputs, first code cell tagged `parameters`).

    .venv/bin/python scripts/build_validation_notebook.py
"""
from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

cells = [
    new_markdown_cell("""# Validate the sentiment model on your corpus

Automatic sentiment scores are only as good as their agreement with human judgement **on the corpus being
studied**. This notebook closes that loop:

1. draws a stratified random **sample** of mentions (the actors × outlets the analysis reports; the same
   sentence about the same actor is never drawn twice),
2. lets you **label** it here, in Jupyter (answers are written to disk at once, one CSV per annotator),
3. measures the model against your labels (**agreement**: precision / recall / F1, macro-F1, confusion
   matrix; Cohen's kappa and Krippendorff's alpha between two annotators), and
4. **corrects** the per-actor mean sentiment and class shares with your labels (prediction-powered
   inference): unbiased even when the model is biased, with intervals that count both the model's error
   and the sampling (see `docs/validation.md`)."""),
    new_code_cell("""corpus = None        # folder of native .txt files; None → the fictional demo corpus
date_from = None     # ISO date or None
date_to = None
actor_file = None    # YAML actor file extending newskit/data/actors.yml, or None
actors = None        # actors to validate (list) or None → the top actors by mentions
cache_dir = None     # annotation cache; None → $NEWSKIT_CACHE or ~/.cache/newskit
columns = None       # table columns → newskit's, e.g. {"headline": "title", "body": "text"} (--columns)
outlet_names = None  # YAML file "host: Display name" extending the built-in outlet names (--outlet-names)
labels = None        # folder of label files (labels_<annotator>.csv + sample.parquet), or None: not labelled yet
sample_size = 200    # items to label
seed = 0             # sampling seed
annotator = "me"     # your name in the label file (letters, digits, _ - .)
top_actors = 8       # actors when `actors` is None
sentiment_model = None  # target-sentiment model: None (the default, "transformer"), "fast" (for very large corpora) or "sentence"
annotations = None  # annotations folder (newskit annotate CORPUS DIR) or None → annotate the corpus""", metadata={"tags": ["parameters"]}),
    new_code_cell("""from pathlib import Path

import matplotlib.pyplot as plt
import pandas as pd
from IPython.display import HTML, Markdown, display

import newskit
from newskit import validation
from newskit.plot.validation import plot_confusion, plot_corrected

pd.set_option("display.max_colwidth", 120)
if corpus is None and annotations is None:
    from newskit.datasets import demo_corpus
    corpus = demo_corpus()
articles = None if annotations is not None else (
    corpus if isinstance(corpus, pd.DataFrame) else newskit.load_corpus(corpus, columns=columns, outlet_names=outlet_names))
if articles is not None:
    print(f"{len(articles)} articles")"""),
    new_markdown_cell("## Annotate (cached: a second run reads the cache)"),
    new_code_cell("""from newskit.analysis import open_annotations

ann = open_annotations(annotations, articles, sentiment_model=sentiment_model, actor_file=actor_file,
                       cache_dir=cache_dir)  # a folder: read out of core
print(f"sentiment model: {ann.meta['sentiment_model']} (see the README, Sentiment)")
ann = ann.filter(date_from=date_from, date_to=date_to) if (date_from or date_to) else ann
# a folder stays out of core: the sample is drawn in DuckDB and reads only the drawn sentences
ann"""),
    new_markdown_cell("""## The sample to label

Strata are actor × outlet; each stratum gets the same number of items (at least 2, a small stratum is
taken whole), and every item carries its **weight** (items in its stratum / items drawn), so the
estimates below stand for the whole corpus. The rows are in a random order: labelling only the first
k still gives a random sample within every stratum. With a label folder, the sample is saved there
(`sample.parquet`) the first time and read back afterwards, so the labels always refer to it."""),
    new_code_cell("""folder = Path(labels) if labels else None
sample_file = folder / "sample.parquet" if folder else None
if sample_file is not None and sample_file.exists():
    s = validation.load_sample(sample_file)
    if s.attrs["corpus_fingerprint"] != validation.corpus_fingerprint(ann):
        raise ValueError(f"{sample_file} was drawn from another corpus (or other dates / actor file)")
else:
    s = validation.sample(ann, n=sample_size, by=["actor", "outlet"], actors=actors, top=top_actors, seed=seed)
    if sample_file is not None:
        validation.save_sample(s, sample_file)
strata = pd.DataFrame(s.attrs["strata"])
print(f"sample {s.attrs['sample_id']}: {len(s)} items from {len(strata)} strata "
      f"({int(strata['stratum_size'].sum())} distinct sentence × actor items)")
strata.sort_values("stratum_size", ascending=False).head(20)"""),
    new_code_cell("""from newskit.plot import plot_counts

# what each stratum stands for: its items in the corpus (its weight = this / the items drawn from it)
top_strata = strata.sort_values("stratum_size", ascending=False).head(20)
ax = plot_counts(top_strata.set_index("stratum")["stratum_size"], xlabel="sentence × actor items in the corpus",
                 title=f"What the {len(s)} items stand for: corpus items per stratum"
                       + (f" (largest 20 of {len(strata)})" if len(strata) > 20 else ""))
plt.show()"""),
    new_code_cell("""current = validation.read_labels(folder, sample=s) if folder is not None and folder.exists() else None
n_done = 0 if current is None else int(current["item_id"].nunique())
validation.sample_table(s, labels=current, limit=15)"""),
    new_markdown_cell("Browse the sample by actor (the table above is the static view of the first items)."),
    new_code_cell("""import ipywidgets as widgets

actor_pick = widgets.Dropdown(options=sorted(s["actor"].unique()), description="Actor")
sample_out = widgets.Output()

def show_actor(*_):
    with sample_out:
        sample_out.clear_output(wait=True)
        sub = s[s["actor"] == actor_pick.value]
        display(validation.sample_table(sub, labels=current, limit=30))

actor_pick.observe(show_actor, names="value")
show_actor()
widgets.VBox([actor_pick, sample_out])"""),
    new_markdown_cell("""## Label

For each item: how does the sentence portray the **highlighted target** (not the tone of the sentence)?
Click a button, or click into the *keys* box and type **1** negative, **2** neutral, **3** positive,
**s** skip, **u** unsure, **b** back (undo the last answer). Every answer is appended to
`labels_<annotator>.csv` in the label folder at once, so nothing is lost if the kernel stops; run the
notebook again to resume where you stopped. A second person labels the same sample with another
`annotator` name into another file. Set `labels` to a folder (e.g. `labels = "my_labels"`) to keep the
answers next to their sample; without it they go to `validation_labels/` here.

The table above is the static view of the same sample (the widget needs a running kernel)."""),
    new_code_cell("""validation.label_widget(s, folder if folder is not None else Path("validation_labels"), annotator=annotator)"""),
    new_markdown_cell("## Agreement: the model against your labels"),
    new_code_cell("""if current is None or not current["label"].isin(validation.CLASSES).any():
    display(Markdown(f"**No labels yet** ({n_done} of {len(s)} answered). Label some items above (or set "
                     "`labels` to a folder with label files) and run the notebook again: this section then "
                     "shows the agreement and the corrected estimates."))
    agree = None
else:
    files = sorted(current["annotator"].unique())
    first = current[current["annotator"] == files[0]]
    other = current[current["annotator"] == files[1]] if len(files) > 1 else None
    agree = validation.agreement(ann, first, other=other)
    print(f"annotators: {files}; answered {n_done} of {len(s)} items")
    display(agree["summary"].round(3))
    display(agree["per_class"].round(3))
    plot_confusion(agree["confusion"], title=f"{files[0]} (rows) vs the model (columns)")
    plt.show()"""),
    new_markdown_cell("""## Corrected estimates

Per actor, and per actor × outlet: the model's raw mean sentiment with its (article-clustered) 95%
interval, next to the corrected mean — the model's mean over every mention plus the mean of
(human − model) on the labelled items, with the sampling weights — and its interval, which counts the
model's error. When the two disagree, trust the corrected one; a wide corrected interval means more
labels are needed for that group."""),
    new_code_cell("""if agree is not None:
    table = validation.corrected(ann, first, sample=s, by="actor")
    plot_corrected(table)
    plt.show()
    display(table.round(3))
    by_outlet = validation.corrected(ann, first, sample=s, by=["actor", "outlet"])
    display(by_outlet.round(3))
else:
    print("no labels yet: nothing to correct")"""),
    new_markdown_cell("""## What this measures, and its limits

- A label is one person's reading of one sentence about one actor; two annotators and their kappa / alpha
  say how far readers agree. Skipped and unsure items count as not labelled (assumed missing at random
  within their stratum).
- The corrected mean is unbiased for the mean human label whatever the model's bias; its interval treats the
  articles as a sample of the coverage (clusters) and the labelled items as a sample of the mentions.
- Figures for groups with few labels are wide: label more, or report at the actor level."""),
]
nb = new_notebook(cells=cells, metadata={"kernelspec": {"display_name": "Python 3", "language": "python",
                                                        "name": "python3"},
                                         "language_info": {"name": "python"}})
nbformat.write(nb, str(Path(__file__).resolve().parents[1] / "notebooks" / "05_validation.ipynb"))
