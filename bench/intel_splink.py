#!/usr/bin/env python3
"""The peer: Splink (DuckDB backend) deduplicating the same crossing records.

    intel_splink.py CROSSINGS.csv OUT_PERSONS.csv

Fields as Splink users model them: folded first and second given name and
surname, birth date, sex, nationality, document number; blocking on the
document, on birth date + first surname, and on first given name + first
surname; m/u estimated by the documented training recipe (random sampling for
u, expectation maximisation for m), predictions at 0.5, clusters at 0.95.
Writes crossing_id,person_id; prints a JSON line with the timings.
"""
import json, sys, time, unicodedata

import pandas as pd
import splink.comparison_library as cl
from splink import DuckDBAPI, Linker, SettingsCreator, block_on


def fold(s):
    s = unicodedata.normalize("NFKD", str(s or "")).encode("ascii", "ignore").decode().upper()
    return " ".join("".join(ch if ch.isalnum() else " " for ch in s).split())


def main(src, out):
    t0 = time.time()
    df = pd.read_csv(src, dtype=str, keep_default_na=False)
    rec = pd.DataFrame({"unique_id": df["crossing_id"]})
    g = df["given_names"].map(fold).str.split(" ")
    s = df["surnames"].map(fold).str.split(" ")
    pick = lambda parts, k: parts.map(lambda p: p[k] if len(p) > k and p[k] else None)
    rec["given1"], rec["given2"] = pick(g, 0), pick(g, 1)
    rec["surname1"], rec["surname2"] = pick(s, 0), pick(s, 1)
    bd = df["birth_date"].where(df["birth_date"].str.len() == 10, None)
    rec["birth_date"] = bd
    for col in ["sex", "nationality", "document_number"]:
        rec[col] = df[col].replace("", None)
    t1 = time.time()
    settings = SettingsCreator(
        link_type="dedupe_only",
        comparisons=[
            cl.NameComparison("given1"),
            cl.NameComparison("given2"),
            cl.NameComparison("surname1"),
            cl.NameComparison("surname2"),
            cl.DateOfBirthComparison("birth_date", input_is_string=True),
            cl.ExactMatch("sex"),
            cl.ExactMatch("nationality"),
            cl.ExactMatch("document_number"),
        ],
        blocking_rules_to_generate_predictions=[
            block_on("document_number"),
            block_on("birth_date", "surname1"),
            block_on("given1", "surname1", "surname2"),
        ],
        retain_intermediate_calculation_columns=False,
    )
    linker = Linker(rec, settings, db_api=DuckDBAPI())
    linker.training.estimate_probability_two_random_records_match(
        [block_on("document_number", "birth_date")], recall=0.8)
    linker.training.estimate_u_using_random_sampling(max_pairs=2e6)
    linker.training.estimate_parameters_using_expectation_maximisation(block_on("birth_date"))
    linker.training.estimate_parameters_using_expectation_maximisation(block_on("surname1", "given1"))
    t2 = time.time()
    pred = linker.inference.predict(threshold_match_probability=0.5)
    clusters = linker.clustering.cluster_pairwise_predictions_at_threshold(pred, 0.95)
    cdf = clusters.as_pandas_dataframe()[["unique_id", "cluster_id"]]
    t3 = time.time()
    cdf.columns = ["crossing_id", "person_id"]
    cdf.to_csv(out, index=False)
    print(json.dumps({"records": len(rec), "prepare_s": t1 - t0, "train_s": t2 - t1,
                      "predict_cluster_s": t3 - t2, "total_s": time.time() - t0}))


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
