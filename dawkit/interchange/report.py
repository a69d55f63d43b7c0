"""The report every conversion returns: what was written and every loss, with its place."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class Loss(BaseModel):
    """One thing the target format could not carry."""

    model_config = ConfigDict(frozen=True)

    what: str = Field(description="what was lost, e.g. \"device state dropped: CLAP 'Surge XT'\"")
    where: str = Field(description="where it was, e.g. \"track 'Lead'\"")

    def __str__(self) -> str:
        return f"{self.what} on {self.where}" if self.where else self.what


class ConversionReport(BaseModel):
    """What a write produced and what it could not carry over."""

    target: str = Field(description="the file written (or that would have been written)")
    format: str = Field(description="the format written, e.g. 'dawproject'")
    written: list[str] = Field(default_factory=list, description="files or archive entries written")
    losses: list[Loss] = Field(default_factory=list)
    notes: list[str] = Field(default_factory=list, description="things worth knowing that are not losses")

    def lose(self, what: str, where: str = "") -> None:
        """Record a loss (duplicates are kept once)."""
        loss = Loss(what=what, where=where)
        if loss not in self.losses:
            self.losses.append(loss)

    @property
    def lossless(self) -> bool:
        return not self.losses
