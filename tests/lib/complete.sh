# SPDX-License-Identifier: GPL-2.0
# The bash completion (deploy/bash-completion/zombiecg) with bash-completion's helpers stubbed
# out. Source it; run from the top of the tree.

# complete_line WORD...: what the completion offers for the last WORD of the line WORD...,
# one a line ("" as the last WORD: a new word).
complete_line() {
	bash -c '
		_init_completion() { cur=${COMP_WORDS[COMP_CWORD]}; prev=${COMP_WORDS[COMP_CWORD-1]}
			words=("${COMP_WORDS[@]}"); cword=$COMP_CWORD; }
		_filedir() { :; }
		complete() { :; }
		. deploy/bash-completion/zombiecg
		COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1))
		_zombiecg
		printf "%s\n" "${COMPREPLY[@]}"' sh "$@"
}
