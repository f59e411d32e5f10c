#ifndef BLITZ_CHECK_H
#define BLITZ_CHECK_H

struct tox;
struct toxenv;
struct strvec;

/*
 * What tox rejects only when it runs an env, checked now: requirement and
 * constraint files named in deps (-r, -c, and the files they include) that
 * cannot be read, and values tox cannot convert (a base_python that
 * contradicts the env's name, a boolean that is none, an invalid set_env
 * line). Appends one message per problem to out, each "FILE:LINE:COL: what is
 * wrong: what to do". Returns the number of problems.
 */
int tox_env_check(struct tox *t, const struct toxenv *e, struct strvec *out);

/* The real paths of the requirement and constraint files e's deps name, nested ones too. */
void tox_env_requirement_files(struct tox *t, const struct toxenv *e, struct strvec *files);

#endif
