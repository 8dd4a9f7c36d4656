import sys, time, random, os
import wit_world

class WitWorld(wit_world.WitWorld):
    def run(self, name: str) -> str:
        print(f"hello from python, {name}")
        print("to stderr", file=sys.stderr)
        t = time.time()
        r = random.random()
        try:
            open("/etc/passwd").read()
            fs = "fs open"
        except Exception as e:
            fs = "fs denied"
        return f"{name}: t>0={t > 0} r<1={r < 1} {fs} env={len(os.environ)}"
