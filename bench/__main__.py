"""Run every benchmark: ``python -m bench``."""

from bench import lagesbild_pdf

if __name__ == "__main__":
    raise SystemExit(lagesbild_pdf.main())
