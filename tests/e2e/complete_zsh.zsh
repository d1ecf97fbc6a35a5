#!/usr/bin/zsh -f
# complete_zsh.zsh FPATH_DIR 'pmon kill -s ' - what zsh's own completion
# system offers for that line: a real interactive zsh on a pseudo-terminal
# (zsh/zpty), compinit loading _pmon from FPATH_DIR, TAB pressed; each
# candidate compadd adds is printed, one per line, and each line of a
# described menu (-d) whose first word is a candidate that matched as
# "= LINE" (all of them would be every process's: at 28,000 processes
# their printing through the terminal took longer than the 20 s below).  The markers are
# written split ("<<""C>>") because the terminal echoes what is typed.
zmodload zsh/zpty || exit 1
zpty z zsh -f -i
zpty -w z "PROMPT= RPROMPT= ; unsetopt zle_bracketed_paste 2>/dev/null"
zpty -w z "fpath=(${(q)1} \$fpath); autoload -Uz compinit; compinit -u -D"
zpty -w z 'compadd() { local -a __hits; local -A __hit; local __i __d; builtin compadd -O __hits "$@"; (( ${#__hits} )) && print -rl -- "<<""C>>"${^__hits}; for __i in $__hits; do __hit[$__i]=1; done; for ((__i = 1; __i < $#; __i++)); do [[ ${@[__i]} == -d ]] && for __d in ${(P)${@[__i+1]}}; do [[ -n ${__hit[${__d%% *}]} ]] && print -r -- "<<""D>>$__d"; done; done; builtin compadd "$@" }'
zpty -w z 'zstyle ":completion:*" insert-tab false'
zpty -w z 'finish() { print "<<""END>>"; exit }; zle -N finish; bindkey "^X" finish; bindkey "^I" complete-word'
zpty -n -w z "$2"$'\t\x18'
out=
while zpty -r -t z line || { sleep 0.05; (( SECONDS < 20 )) }; do
	out+=$line
	[[ $line == *'<<END>>'* ]] && break
done
zpty -d z
# Candidates as they are, then "= DISPLAY" for those shown with a
# description ("1234  -- name").
[[ -n $RAW ]] && print -r -- "$out" > $RAW
print -r -- "$out" | tr -d '\r' | grep -ao '<<C>>[^<[:cntrl:]]*' | sed 's/<<C>>//' | sort -u
print -r -- "$out" | tr -d '\r' | grep -ao '<<D>>[^<[:cntrl:]]*' | sed 's/<<D>>/= /' | sort -u
