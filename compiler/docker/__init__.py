"""Docker's and BuildKit's own rules on strings: Go's white space, the shell lexer, the line parser."""
