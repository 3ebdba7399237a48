"""What every layer shares and that imports nothing else of the project: the rules and their defaults
(`core.rules`), input errors (`core.errors`), reading tables (`core.tables`) and months and open
intervals (`core.periods`)."""
