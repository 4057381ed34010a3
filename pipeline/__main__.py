"""`python -m pipeline` does what the `spbe` command does."""

from pipeline.cli import main

if __name__ == "__main__":  # guard: reader worker processes re-import this module on Windows (spawn)
    main()
