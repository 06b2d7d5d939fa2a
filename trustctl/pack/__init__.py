"""The Pulumi policy pack (policies/pack/): the gate's judgment inside Pulumi's policy engine."""
