"""The bundled sample data set (data/sample/) and the seeded generator that writes it byte for byte
(`python -m data.generate_sample`)."""
