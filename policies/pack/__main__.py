"""Claver's security page as a Pulumi policy pack: the engine runs this program (`pulumi
preview|up --policy-pack policies/pack`); trustctl/pack/ does the work."""

from pathlib import Path

from trustctl.pack.serve import serve

serve(Path(__file__).resolve().parent)
