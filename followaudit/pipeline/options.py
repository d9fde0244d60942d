"""How a build runs: which engine, where Spark is, where derived tables go, what to pack."""

from __future__ import annotations

from dataclasses import dataclass

ENGINES = ("duckdb", "spark")
PACKS = ("full", "summary")


@dataclass(frozen=True)
class BuildOptions:
    """`followaudit build` options beyond the data and the workspace."""

    engine: str = "duckdb"  # duckdb: everything in the workspace file; spark: Parquet + pack
    spark_master: str = "local[2]"  # local[N], spark://host:7077, yarn, ...
    spark_remote: str | None = None  # sc://host:15002: Spark Connect, the CLI a thin client
    derived: str | None = None  # where Spark writes derived Parquet (default W.d/derived)
    pack: str = "full"  # full: every table in the workspace; summary: platform-size data

    def __post_init__(self) -> None:
        if self.engine not in ENGINES:
            raise ValueError(f"engine must be one of {ENGINES}, not {self.engine!r}")
        if self.pack not in PACKS:
            raise ValueError(f"pack must be one of {PACKS}, not {self.pack!r}")
        if self.pack != "full" and self.engine != "spark":
            raise ValueError("--pack summary packs a Spark build (--engine spark)")
