"""What a chapter may make the tools do: the file policy, the checks, the PDF fetcher."""
