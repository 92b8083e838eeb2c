package dev.medsam.core.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.lang.module.ModuleDescriptor;
import java.lang.reflect.Constructor;
import java.lang.reflect.Executable;
import java.lang.reflect.Field;
import java.lang.reflect.GenericArrayType;
import java.lang.reflect.Member;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.lang.reflect.TypeVariable;
import java.lang.reflect.WildcardType;
import java.net.URISyntaxException;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;

/**
 * Fails when the public API of a module names a type that the API's reader cannot see (issue 16): every public or
 * protected signature (supertypes, type parameters, fields, constructors, methods with their parameters, results
 * and exceptions, generic arguments included) of every public type in a package the module exports to everyone
 * is checked for MedSAM types ({@code dev.medsam.*}) from packages that their own module does not export to
 * everyone, such as {@code internal} packages or a package exported only to a friend module. The exports are read
 * from each module's {@code module-info.class}, so the check holds on the class path too, where the module system
 * would not enforce it. Thread-safe; each call reads the classes again.
 */
public final class PublicApi {

    private static final String OURS = "dev.medsam.";

    private final Map<Path, Set<String>> exportsByRoot = new HashMap<>();
    private final Set<String> problems = new TreeSet<>();
    private final Set<String> optionalParameters = new TreeSet<>();

    private PublicApi() {
    }

    /**
     * Checks the module whose classes hold {@code anyClassOfModule} (a folder such as {@code target/classes} or a
     * jar with a {@code module-info.class}).
     *
     * @throws AssertionError listing every signature that names a non-exported type, or if the module exports no
     *                        public type (a wrong root would otherwise pass)
     */
    public static void assertNoInternalTypes(Class<?> anyClassOfModule) {
        PublicApi check = scan(anyClassOfModule);
        if (!check.problems.isEmpty()) {
            throw new AssertionError(check.problems.size() + " public signature(s) of " + rootOf(anyClassOfModule)
                    + " name types the module system hides from users:\n  " + String.join("\n  ", check.problems));
        }
    }

    /**
     * Checks that no public or protected constructor or method of the module's exported packages takes an
     * {@link java.util.Optional} (house style: Optional only as a return type; an absent argument is an
     * overload or a builder setting).
     *
     * @throws AssertionError listing every such parameter
     */
    public static void assertNoOptionalParameters(Class<?> anyClassOfModule) {
        PublicApi check = scan(anyClassOfModule);
        if (!check.optionalParameters.isEmpty()) {
            throw new AssertionError(check.optionalParameters.size() + " public parameter(s) of "
                    + rootOf(anyClassOfModule) + " take an Optional:\n  "
                    + String.join("\n  ", check.optionalParameters));
        }
    }

    private static PublicApi scan(Class<?> anyClassOfModule) {
        PublicApi check = new PublicApi();
        Path root = rootOf(anyClassOfModule);
        int checked = 0;
        for (String pkg : check.exports(root)) {
            for (Class<?> type : classesIn(root, pkg, anyClassOfModule.getClassLoader())) {
                if (isApi(type)) {
                    check.checkType(type);
                    checked++;
                }
            }
        }
        if (checked == 0) {
            throw new AssertionError("no public types in the exported packages of " + root);
        }
        return check;
    }

    /** Public, and reachable: a nested type only if its enclosing type is API too. */
    private static boolean isApi(Class<?> type) {
        if (type.isSynthetic() || type.isAnonymousClass() || type.isLocalClass()) {
            return false;
        }
        int m = type.getModifiers();
        Class<?> outer = type.getDeclaringClass();
        if (outer == null) {
            return Modifier.isPublic(m);
        }
        return (Modifier.isPublic(m) || Modifier.isProtected(m)) && isApi(outer);
    }

    private static boolean visible(Member m) {
        return !m.isSynthetic() && (Modifier.isPublic(m.getModifiers()) || Modifier.isProtected(m.getModifiers()));
    }

    private void checkType(Class<?> type) {
        String where = type.getName();
        for (TypeVariable<?> v : type.getTypeParameters()) {
            check(where + " type parameter " + v.getName(), v, new HashSet<>());
        }
        if (type.getGenericSuperclass() != null) {
            check(where + " extends", type.getGenericSuperclass(), new HashSet<>());
        }
        for (Type t : type.getGenericInterfaces()) {
            check(where + " implements", t, new HashSet<>());
        }
        for (Field f : type.getDeclaredFields()) {
            if (visible(f)) {
                check(where + "." + f.getName(), f.getGenericType(), new HashSet<>());
            }
        }
        List<Executable> executables = new ArrayList<>();
        for (Constructor<?> c : type.getDeclaredConstructors()) {
            executables.add(c);
        }
        for (Method m : type.getMethods()) { // public, inherited ones too: they appear on this type's page
            executables.add(m);
        }
        for (Method m : type.getDeclaredMethods()) {
            if (Modifier.isProtected(m.getModifiers())) {
                executables.add(m);
            }
        }
        for (Executable e : executables) {
            if (!visible(e) || (e instanceof Method m && m.isBridge())) {
                continue;
            }
            String name = where + "." + (e instanceof Constructor<?> ? "<init>" : e.getName()) + "(..)";
            for (TypeVariable<?> v : e.getTypeParameters()) {
                check(name + " type parameter " + v.getName(), v, new HashSet<>());
            }
            if (e instanceof Method m) {
                check(name + " returns", m.getGenericReturnType(), new HashSet<>());
            }
            Type[] params = e.getGenericParameterTypes();
            for (int i = 0; i < params.length; i++) {
                check(name + " parameter " + (i + 1), params[i], new HashSet<>());
                Type raw = params[i] instanceof ParameterizedType p ? p.getRawType() : params[i];
                if (raw == java.util.Optional.class && e.getDeclaringClass().getName().startsWith(OURS)) {
                    optionalParameters.add(name + " parameter " + (i + 1) + ": " + params[i].getTypeName());
                }
            }
            for (Type t : e.getGenericExceptionTypes()) {
                check(name + " throws", t, new HashSet<>());
            }
        }
    }

    /** Records a problem for every hidden MedSAM type in {@code t}, its arguments, bounds and components. */
    private void check(String where, Type t, Set<TypeVariable<?>> seen) {
        if (t instanceof Class<?> c) {
            while (c.isArray()) {
                c = c.getComponentType();
            }
            if (c.getName().startsWith(OURS) && !exported(c)) {
                problems.add(where + ": " + c.getName());
            }
        } else if (t instanceof ParameterizedType p) {
            check(where, p.getRawType(), seen);
            if (p.getOwnerType() != null) {
                check(where, p.getOwnerType(), seen);
            }
            for (Type a : p.getActualTypeArguments()) {
                check(where, a, seen);
            }
        } else if (t instanceof WildcardType w) {
            for (Type b : w.getUpperBounds()) {
                check(where, b, seen);
            }
            for (Type b : w.getLowerBounds()) {
                check(where, b, seen);
            }
        } else if (t instanceof GenericArrayType a) {
            check(where, a.getGenericComponentType(), seen);
        } else if (t instanceof TypeVariable<?> v && seen.add(v)) {
            for (Type b : v.getBounds()) {
                check(where, b, seen);
            }
        }
    }

    /** Whether the module that holds {@code c} exports its package to everyone. */
    private boolean exported(Class<?> c) {
        return exports(rootOf(c)).contains(c.getPackageName());
    }

    private Set<String> exports(Path root) {
        return exportsByRoot.computeIfAbsent(root, PublicApi::readExports);
    }

    private static Set<String> readExports(Path root) {
        try (Root r = Root.open(root)) {
            Path info = r.path("module-info.class");
            if (!Files.isRegularFile(info)) {
                throw new AssertionError(root + " has no module-info.class: cannot tell its exported packages");
            }
            try (InputStream in = Files.newInputStream(info)) {
                ModuleDescriptor d = ModuleDescriptor.read(in);
                Set<String> out = new TreeSet<>();
                for (ModuleDescriptor.Exports e : d.exports()) {
                    if (!e.isQualified()) {
                        out.add(e.source());
                    }
                }
                return out;
            }
        } catch (IOException e) {
            throw new UncheckedIOException("reading the module descriptor of " + root, e);
        }
    }

    /** The classes of package {@code pkg} under {@code root}, top-level and nested, loaded without initialising. */
    private static List<Class<?>> classesIn(Path root, String pkg, ClassLoader loader) {
        List<Class<?>> out = new ArrayList<>();
        try (Root r = Root.open(root); Stream<Path> files = Files.list(r.path(pkg.replace('.', '/')))) {
            for (Path f : files.sorted().toList()) {
                String file = f.getFileName().toString();
                if (file.endsWith(".class") && !file.equals("package-info.class")) {
                    String name = pkg + "." + file.substring(0, file.length() - ".class".length());
                    out.add(Class.forName(name, false, loader));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("listing package " + pkg + " in " + root, e);
        } catch (ClassNotFoundException e) {
            throw new AssertionError("cannot load " + e.getMessage() + " from " + root, e);
        }
        return out;
    }

    /** The folder or jar a class was loaded from. */
    private static Path rootOf(Class<?> c) {
        try {
            return Path.of(c.getProtectionDomain().getCodeSource().getLocation().toURI());
        } catch (URISyntaxException | NullPointerException e) {
            throw new AssertionError("cannot tell where " + c.getName() + " was loaded from", e);
        }
    }

    /** A classes folder, or a jar opened as a file system. */
    private record Root(Path base, FileSystem jar) implements AutoCloseable {
        static Root open(Path location) throws IOException {
            if (Files.isDirectory(location)) {
                return new Root(location, null);
            }
            FileSystem fs = FileSystems.newFileSystem(location);
            return new Root(fs.getPath("/"), fs);
        }

        Path path(String relative) {
            return base.resolve(relative);
        }

        @Override
        public void close() throws IOException {
            if (jar != null) {
                jar.close();
            }
        }
    }
}
