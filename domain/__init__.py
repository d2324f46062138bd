"""The language of a negotiation: records, aggregate, registers, errors."""
