"""What to ask before a change runs: the verb's damaging cases, a rule's ``confirm`` or
``approvers``, a button's ``confirm``, and a large scale-up (its replicas read to decide)."""

from __future__ import annotations

from bot.core.command import Command
from bot.core.policy import Decision, confirmation_prompt, ruled_prompt
from bot.core.preview import Preview
from bot.core.subject import Subject
from bot.core.targets import target_of
from bot.core.verbs.registry import is_mutating
from bot.core.verbs.scale import Scale, scale_up_may_ask, scale_up_prompt
from bot.service.options import ChatOpsOptions
from bot.service.runner import Runner


class Questions:
    """Finds the question a command must have answered before it runs, if any."""

    def __init__(self, *, options: ChatOpsOptions, runner: Runner) -> None:
        self._options = options
        self._runner = runner

    def ask(
        self, command: Command, decision: Decision, *, confirm: bool, author: Subject
    ) -> tuple[str | None, Preview | None]:
        """What to ask before ``command`` runs (None: nothing), and the preview when it was
        read to decide: the verb's damaging cases, a rule's ``confirm`` or ``approvers``, a
        button's ``confirm``, a large scale-up."""
        prompt = confirmation_prompt(command)
        asks = decision.confirm or bool(decision.approvers) or (confirm and is_mutating(command))
        if prompt is None and asks:
            prompt = ruled_prompt(command, target_of(command))
        if prompt is None and isinstance(command, Scale):
            return self._scale_up(command, author)
        return prompt, None

    def _scale_up(self, command: Scale, author: Subject) -> tuple[str | None, Preview | None]:
        """The question of a large scale-up (``scale_up_factor``, ``scale_up_above``) and
        the preview it read the current replicas from (as ``author`` in the cluster); (None,
        None) when it is not large."""
        factor, above = self._options.scale_up_factor, self._options.scale_up_above
        if not scale_up_may_ask(command, factor=factor, above=above):
            return None, None
        shown = self._runner.preview(command, "", author)
        current = dict(shown.state).get("replicas")
        number = int(current) if current is not None and current.isdigit() else None
        prompt = scale_up_prompt(command, number, factor=factor, above=above)
        if prompt is None:
            return None, None
        return prompt, shown if shown.state else None
