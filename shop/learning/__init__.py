"""Learning from conversations: the review inbox's grouping, personal data replaced by
placeholders, editors' labels, and the export to training and held-out files."""
